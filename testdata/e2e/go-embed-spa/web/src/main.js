import './style.css';
import { fetchPalette, ApiError } from './api.js';
import { renderSwatches } from './render.js';

const form = document.getElementById('pick');
const input = document.getElementById('base');
const wheel = document.getElementById('wheel');
const status = document.getElementById('status');
const root = document.getElementById('swatches');

async function build(base) {
  status.textContent = '';
  try {
    const { base: hex, swatches } = await fetchPalette(base);
    renderSwatches(root, swatches);
    wheel.value = hex;
    history.replaceState(null, '', '/schemes/' + hex.slice(1));
  } catch (err) {
    status.textContent = err instanceof ApiError ? err.message : 'server unreachable';
  }
}

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  build(input.value);
});
wheel.addEventListener('input', () => {
  input.value = wheel.value;
  build(wheel.value);
});

const fromPath = location.pathname.match(/^\/schemes\/([0-9a-f]{3,6})$/i);
build(fromPath ? fromPath[1] : input.value);
