import { buildConsole } from '../web-console/index.js';

/** `npm run build:console`: builds the web console into dist/console (always, whatever the hash says). */
try {
  await buildConsole({ info: (message) => console.log(message) });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
