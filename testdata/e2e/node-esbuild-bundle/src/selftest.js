// Starts the service on a free port, exercises the API once and prints what came back.
async function call(base, method, path, body) {
  const res = await fetch(base + path, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

export async function selftest(server, log = console.log) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    let r = await call(base, 'GET', '/healthz');
    log(`GET /healthz -> ${r.status}`);
    r = await call(base, 'POST', '/notes', { text: 'buy oat milk', tags: ['shopping'] });
    log(`POST /notes -> ${r.status} id=${r.json.id}`);
    r = await call(base, 'POST', '/notes', { text: 'ring the plumber about the boiler', tags: ['home', 'shopping'] });
    log(`POST /notes -> ${r.status} id=${r.json.id}`);
    r = await call(base, 'GET', '/tags/shopping');
    log(`GET /tags/shopping -> ${r.status} ${r.json.length} notes`);
    r = await call(base, 'DELETE', '/notes/1');
    log(`DELETE /notes/1 -> ${r.status}`);
    r = await call(base, 'GET', '/notes/1');
    log(`GET /notes/1 -> ${r.status} ${r.json.error}`);
    r = await call(base, 'POST', '/notes', { text: 'x'.repeat(5000) });
    log(`POST /notes (5000 bytes) -> ${r.status} ${r.json.error}`);
    r = await call(base, 'GET', '/stats');
    log(`GET /stats -> ${r.status} notes=${r.json.notes} stored=${r.json.stored}`);
  } finally {
    server.close();
  }
}
