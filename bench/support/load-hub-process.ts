/**
 * The hub app as its own process for bench/load.bench.ts, so that its RSS is the hub's alone:
 * argv[2] is the store URI; prints {"url": …} once listening; development hardening settings
 * (operation limits on, rate limits off) unless the environment says otherwise.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { loadHardeningConfig } from '../../src/config/index.js';
import { connectStore, createModels } from '../../src/db/index.js';
import { createApp } from '../../src/http/index.js';

const connection = await connectStore(process.argv[2]!, { monitorCommands: true });
const hub = await createApp({ connection, models: createModels(connection), log: pino({ level: 'silent' }), hardening: loadHardeningConfig(process.env) });
const server = hub.app.listen(0, '127.0.0.1');
await once(server, 'listening');
console.log(JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => void hub.stop().then(() => connection.close()).then(() => process.exit(0)));
});
