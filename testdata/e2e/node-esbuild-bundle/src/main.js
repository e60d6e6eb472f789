import http from 'node:http';
import { loadConfig } from './config.js';
import { NoteStore } from './store.js';
import { buildRouter } from './handlers.js';
import { selftest } from './selftest.js';

const VERSION = '1.2.0';

function main(argv) {
  const config = loadConfig();
  const store = new NoteStore(config);
  const server = http.createServer(buildRouter(store, config));

  if (argv.includes('--version')) {
    console.log(`notesd ${VERSION}, node ${process.versions.node}`);
    return;
  }
  if (argv.includes('--selftest')) {
    console.log(`notesd ${VERSION}, node ${process.versions.node}`);
    selftest(server).catch((err) => {
      console.error('selftest failed:', err);
      process.exitCode = 1;
    });
    return;
  }

  server.listen(config.port, config.host, () => {
    console.log(`notesd ${VERSION} listening on ${config.host}:${config.port}`);
  });
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.on(sig, () => server.close(() => process.exit(0)));
  }
}

main(process.argv.slice(2));
