/**
 * The embedded server as its own process, as it runs beside the hub. Prints one JSON line
 * `{"uri": …, "startMs": …}` once listening, where startMs covers opening the dataDir,
 * recovery and listen (not the process start); stops cleanly on SIGTERM.
 *
 * Usage: tsx bench/support/embedded-server-process.ts <dataDir>
 */
import { startEmbeddedMongo } from '../../src/embedded-mongo/index.js';

const [dataDir] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: embedded-server-process.ts <dataDir>');

const started = performance.now();
const server = await startEmbeddedMongo({ dataDir, port: 0, host: '127.0.0.1' });
process.stdout.write(`${JSON.stringify({ uri: server.uri, startMs: performance.now() - started })}\n`);
process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
