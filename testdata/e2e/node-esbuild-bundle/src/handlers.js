import bytes from 'bytes';
import { Router } from './router.js';

function send(res, status, body) {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

async function readBody(req, limit) {
  let size = 0;
  const chunks = [];
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) {
      const err = new Error(`note larger than ${bytes(limit)}`);
      err.status = 413;
      throw err;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function buildRouter(store, config, startedAt = Date.now()) {
  const router = new Router();

  router.on('GET', '/healthz', (req, res) => send(res, 200, { ok: true }));

  router.on('GET', '/stats', (req, res) =>
    send(res, 200, {
      notes: store.size,
      stored: bytes(store.bytes, { unitSeparator: ' ' }),
      limit: bytes(config.maxNoteBytes),
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    }),
  );

  router.on('POST', '/notes', async (req, res) => {
    const raw = await readBody(req, config.maxNoteBytes);
    let data;
    try {
      data = JSON.parse(raw);
    } catch {
      return send(res, 400, { error: 'body must be JSON' });
    }
    if (typeof data.text !== 'string' || data.text.trim() === '') {
      return send(res, 400, { error: 'text is required' });
    }
    const tags = Array.isArray(data.tags) ? data.tags.map(String) : [];
    send(res, 201, store.add(data.text, tags));
  });

  router.on('GET', '/notes/:id', (req, res, { id }) => {
    const note = store.get(id);
    if (!note) return send(res, 404, { error: `no note ${id}` });
    send(res, 200, note);
  });

  router.on('DELETE', '/notes/:id', (req, res, { id }) => {
    if (!store.remove(id)) return send(res, 404, { error: `no note ${id}` });
    res.writeHead(204).end();
  });

  router.on('GET', '/tags/:tag', (req, res, { tag }) => send(res, 200, store.search(tag)));

  return async function handle(req, res) {
    const url = new URL(req.url, 'http://localhost');
    const found = router.match(req.method, url.pathname);
    if (!found) return send(res, 404, { error: 'not found' });
    try {
      await found.handler(req, res, found.params);
    } catch (err) {
      send(res, err.status ?? 500, { error: err.message });
    }
  };
}
