'use strict';
// hashd: POST a body to /xxh64 or /xxh3 and get its hash back.
const http = require('http');
const xxhash = require('bindings')('xxhash');

const HOST = process.env.HOST || '0.0.0.0';
const PORT = Number(process.env.PORT || 3000);

function handler(req, res) {
  if (req.method === 'GET' && req.url === '/healthz') {
    res.end('ok\n');
    return;
  }
  const algo = req.url.slice(1);
  if (req.method !== 'POST' || !['xxh64', 'xxh3'].includes(algo)) {
    res.statusCode = 404;
    res.end('not found\n');
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => res.end(xxhash[algo](Buffer.concat(chunks)) + '\n'));
}

function request(port, method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve(`${method} ${path} -> ${res.statusCode} ${data.trim()}`));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function selftest() {
  const server = http.createServer(handler);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  console.log(`hashd ${require('./package.json').version}, libxxhash ${xxhash.version()}, node ${process.versions.node}`);
  console.log(await request(port, 'GET', '/healthz'));
  console.log(await request(port, 'POST', '/xxh64', 'hello world'));
  console.log(await request(port, 'POST', '/xxh3', 'hello world'));
  server.close();
}

if (process.argv.includes('--selftest')) {
  selftest().catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  http.createServer(handler).listen(PORT, HOST, () => console.log(`hashd listening on ${HOST}:${PORT}`));
}
