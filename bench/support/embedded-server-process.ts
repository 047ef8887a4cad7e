/**
 * The embedded server as its own process, as it runs beside the hub. Prints one JSON line
 * `{"uri": …, "startMs": …, "startCpuMs": …}` once listening, where startMs is the wall time
 * of opening the dataDir, recovery and listen (not the process start), and startCpuMs the
 * CPU time the process spent on it (all threads, GC included: less skewed by a busy
 * machine than wall time); stops cleanly on SIGTERM.
 *
 * Usage: tsx bench/support/embedded-server-process.ts <dataDir>
 */
import { startEmbeddedMongo } from '../../src/embedded-mongo/index.js';

const [dataDir] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: embedded-server-process.ts <dataDir>');

const started = performance.now();
const cpuBefore = process.cpuUsage();
const server = await startEmbeddedMongo({ dataDir, port: 0, host: '127.0.0.1' });
const cpu = process.cpuUsage(cpuBefore);
const startCpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(`${JSON.stringify({ uri: server.uri, startMs: performance.now() - started, startCpuMs })}\n`);
process.once('SIGTERM', () => void server.stop().then(() => process.exit(0)));
