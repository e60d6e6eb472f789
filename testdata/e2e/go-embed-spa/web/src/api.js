export class ApiError extends Error {}

export async function fetchPalette(base) {
  const res = await fetch('/api/palette?base=' + encodeURIComponent(base));
  const body = await res.json();
  if (!res.ok) {
    throw new ApiError(body.error || `HTTP ${res.status}`);
  }
  return body;
}
