/**
 * Access control: the hub-core nested query (20 resources with department, org units and
 * ancestors, linked policies) as an ORG_ADMIN at township level (bearer token verified, user
 * and scope loaded, visibility filter applied) and as anonymous (PUBLISHED + PUBLIC filter),
 * against the same query with enforcement bypassed (no token, no filter), in the same run, on
 * the same data, against the embedded store in its own process. Variants are interleaved in
 * rounds and the median round is reported, so drift on a shared machine hits all alike.
 *
 * Usage: npx tsx bench/access.bench.ts   (BENCH_QUICK=1 for a short run; MONGODB_URI to use a real MongoDB)
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { connectStore, createModels, ensureIndexes, type Models } from '../src/db/index.js';
import { createAuthRuntime, loadAuthConfig } from '../src/domain/auth/index.js';
import { placementOf } from '../src/domain/org/index.js';
import type { Viewer } from '../src/domain/visibility/index.js';
import { createApp } from '../src/http/index.js';
import { BENCH_NESTED_QUERY, insertNestedCatalogue } from '../test/hub/nested-fixture.js';
import { UNIT_CODES } from '../test/hub/fixture.js';
import { printTable } from './support/measure.js';
import { startBenchStore } from './support/bench-store.js';

const QUICK = process.env.BENCH_QUICK === '1';
const SECONDS_PER_RUN = QUICK ? 1.5 : 5;
const ROUNDS = QUICK ? 3 : 5;
const CONCURRENCY = [1, 8, 32];
const RESOURCES = Number(process.env.BENCH_ACCESS_RESOURCES ?? 3000);
const HIDDEN = 300;

const QUERY = BENCH_NESTED_QUERY;


/** Content no anonymous reader may see, sorted after the visible page (titles Z…). */
async function insertHidden(models: Models): Promise<void> {
  const leaves = await models.OrgUnit.find({ level: 4 }).lean();
  const docs = Array.from({ length: HIDDEN }, (_, i) => ({
    kind: 'EVENT',
    title: `Z${String(i).padStart(4, '0')}`,
    department: 'health',
    ...placementOf([leaves[i % leaves.length]!]),
    status: i % 2 === 0 ? 'PENDING' : 'PUBLISHED',
    confidentiality: i % 2 === 0 ? 'PUBLIC' : 'INTERNAL',
    startsAt: new Date(Date.UTC(2025, 5, 1)),
  }));
  await models.Resource.insertMany(docs, { lean: true });
}

interface Variant {
  name: string;
  url: string;
  token: string | null;
}

async function listen(app: import('express').Express): Promise<{ url: string; server: Server }> {
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, server };
}

async function request(variant: Variant): Promise<boolean> {
  const response = await fetch(variant.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(variant.token ? { authorization: `Bearer ${variant.token}` } : {}) },
    body: JSON.stringify({ query: QUERY }),
  });
  const body = (await response.json()) as { data?: { resources: { edges: unknown[] } }; errors?: unknown[] };
  return response.ok && !body.errors && body.data?.resources.edges.length === 20;
}

async function throughput(variant: Variant, clients: number, seconds: number): Promise<{ rate: number; errors: number }> {
  let done = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        if (!(await request(variant))) errors += 1;
        done += 1;
      }
    }),
  );
  return { rate: done / ((performance.now() - started) / 1000), errors };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const store = await startBenchStore('bench-access');
const dbUri = new URL(store.uri);
dbUri.pathname = `/bench_access_${Date.now()}`;
const connection = await connectStore(dbUri.toString(), { monitorCommands: true });
let commandCount = 0;
connection.getClient().on('commandStarted', (event) => {
  if (!['hello', 'ping', 'endSessions', 'isMaster'].includes(event.commandName)) commandCount += 1;
});
const models = createModels(connection);
await ensureIndexes(models);
await insertNestedCatalogue(models, RESOURCES);
await insertHidden(models);

const log = pino({ level: 'silent' });
const auth = createAuthRuntime(models, loadAuthConfig({ AUTH_JWT_SECRET: 'bench-secret-bench-secret-bench-secret-0000' }));
const admin = await auth.service.createUserUnchecked({
  username: 'township-admin',
  displayName: '街道管理员',
  password: 'bench-password-1',
  grants: [{ role: 'ORG_ADMIN', orgUnitCode: UNIT_CODES.T1 }],
});
const tokens = await import('../src/domain/auth/tokens.js');
const { token } = await new tokens.TokenService(auth.config).issue(admin._id.toHexString());

const enforced = await createApp({ connection, models, log, auth });
/** Enforcement bypassed: no token is read and visibilityFilter adds nothing (an unscoped grant). */
const bypassViewer: Viewer = { kind: 'user', userId: admin._id, username: 'bypass', grants: [{ role: 'PLATFORM_ADMIN', orgUnit: null, department: null, stages: [] }] };
const bypassed = await createApp({ connection, models, log, viewerOf: () => bypassViewer });
/** The ORG_ADMIN's filter without the token: separates the cost of the filter from that of authentication. */
const scopedViewer = await auth.viewerOf(`Bearer ${token}`);
const filterOnly = await createApp({ connection, models, log, viewerOf: () => scopedViewer });
const enforcedServer = await listen(enforced.app);
const bypassedServer = await listen(bypassed.app);
const filterOnlyServer = await listen(filterOnly.app);

const variants: Variant[] = [
  { name: 'bypassed', url: bypassedServer.url, token: null },
  { name: 'anonymous', url: enforcedServer.url, token: null },
  { name: 'ORG_ADMIN (township)', url: enforcedServer.url, token },
  { name: 'ORG_ADMIN filter only (no token)', url: filterOnlyServer.url, token: null },
];
const commandsPerRequest: string[] = [];
for (const variant of variants) {
  if (!(await request(variant))) throw new Error(`${variant.name}: the nested query failed`);
  commandCount = 0;
  await request(variant);
  commandsPerRequest.push(`${variant.name} ${commandCount}`);
  await throughput(variant, 4, QUICK ? 0.5 : 1);
}

console.log(`## Access control: nested query, ${RESOURCES} visible + ${HIDDEN} hidden resources, ${ROUNDS} interleaved rounds of ${SECONDS_PER_RUN}s${QUICK ? ' (BENCH_QUICK)' : ''}\n`);
console.log(`Database commands per request (token's viewer cached): ${commandsPerRequest.join(', ')}.\n`);
const rows: string[][] = [['clients', 'variant', 'req/s (median round)', 'vs bypassed', 'cost of enforcement', 'errors']];
for (const clients of CONCURRENCY) {
  const rates = new Map<string, number[]>(variants.map((variant) => [variant.name, []]));
  let errors = 0;
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = round % 2 === 0 ? variants : [...variants].reverse();
    for (const variant of order) {
      const result = await throughput(variant, clients, SECONDS_PER_RUN);
      rates.get(variant.name)!.push(result.rate);
      errors += result.errors;
    }
  }
  const base = median(rates.get('bypassed')!);
  for (const variant of variants) {
    const rate = median(rates.get(variant.name)!);
    const ratio = rate / base;
    rows.push([String(clients), variant.name, rate.toFixed(1), `${ratio.toFixed(3)}×`, variant.name === 'bypassed' ? '—' : `${((1 - ratio) * 100).toFixed(1)}%`, String(errors)]);
  }
}
printTable(rows);

for (const { server } of [enforcedServer, bypassedServer, filterOnlyServer]) {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
await enforced.stop();
await bypassed.stop();
await filterOnly.stop();
await connection.dropDatabase();
await connection.close();
await store.stop();
