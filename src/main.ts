import { ConfigError, loadConfig } from './config/index.js';
import { startHub } from './hub.js';
import { createLogger } from './logging/index.js';
import { ensureConsoleBuilt } from './web-console/index.js';

let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const log = createLogger(config.logLevel);
// `npm start` serves an up-to-date console: built here only when its sources changed.
await ensureConsoleBuilt({ info: (message) => log.info(message) }).catch((error: unknown) => {
  log.warn({ err: error }, 'web console not built; /console answers 503 until `npm run build:console` succeeds');
});
const hub = await startHub(config, log).catch((error: unknown) => {
  log.fatal({ err: error }, 'hub failed to start');
  process.exit(1);
});
log.info({ url: hub.graphqlUrl }, 'hub listening');
console.log(`共享枢纽 Gongxiang Hub: GraphQL (and GraphiQL) at ${hub.graphqlUrl}`);
console.log(`管理控制台 Web console at ${new URL('/console/', hub.graphqlUrl).toString()}`);

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    hub.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  });
}
