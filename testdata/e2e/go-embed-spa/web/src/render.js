const LABELS = {
  'base': 'Base',
  'complement': 'Complement',
  'analogous-': 'Analogous (−30°)',
  'analogous+': 'Analogous (+30°)',
  'triad-1': 'Triad',
  'triad-2': 'Triad',
  'tint': 'Tint',
  'shade': 'Shade',
};

export function renderSwatches(root, swatches) {
  root.replaceChildren(...swatches.map((s) => {
    const el = document.createElement('button');
    el.className = 'swatch';
    el.style.background = s.hex;
    el.style.color = s.text;
    el.title = `contrast ${s.contrast}:1 — click to copy`;
    el.innerHTML = `<strong></strong><code></code>`;
    el.querySelector('strong').textContent = LABELS[s.role] || s.role;
    el.querySelector('code').textContent = s.hex;
    el.addEventListener('click', () => navigator.clipboard?.writeText(s.hex));
    return el;
  }));
}
