/**
 * Hub core: throughput and latency of a nested query (20 resources, each with its
 * department, org units with ancestors, and linked policies) at 1, 8 and 32 concurrent
 * clients, for the hub's resolvers (per-request DataLoaders) against a deliberately naive
 * resolver set (no DataLoader, one query per field) in the same run, on the same data,
 * against the embedded store running as its own process (as beside `npm start`).
 *
 * Usage: npx tsx bench/hub-core.bench.ts   (BENCH_QUICK=1 for a short run; MONGODB_URI to use a real MongoDB)
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kind, parse, type SelectionSetNode } from 'graphql';
import { pino } from 'pino';
import { connectStore, createModels, ensureIndexes, type Models, type OrgUnitDoc } from '../src/db/index.js';
import { findPoliciesByDocNumbers } from '../src/domain/catalog/index.js';
import { findUnitsByIds } from '../src/domain/org/index.js';
import { buildSchema, type ResolverModule } from '../src/graphql/index.js';
import { resolverModules } from '../src/graphql/resolvers/index.js';
import { createApp } from '../src/http/index.js';
import { BENCH_NESTED_QUERY, insertNestedCatalogue } from '../test/hub/nested-fixture.js';
import { startBenchStore } from './support/bench-store.js';

const QUICK = process.env.BENCH_QUICK === '1';
const SECONDS_PER_RUN = QUICK ? 2 : 10;
const CONCURRENCY = [1, 8, 32];
const RESOURCES = 600;

const QUERY = BENCH_NESTED_QUERY;

/** The same fields resolved the obvious way: a query per field per parent, no batching, no cache. */
const naiveModule: ResolverModule = {
  resolvers: {
    OrgUnit: {
      ancestors: async (unit, _args, { models }) => {
        const found = await findUnitsByIds(models, unit.ancestors);
        return unit.ancestors.map((id) => found.find((doc) => doc._id.equals(id))).filter((doc): doc is OrgUnitDoc => doc !== undefined);
      },
    },
    Service: {
      department: (service, _args, { models }) => models.Department.findOne({ code: service.department }).lean().exec(),
      orgUnits: (service, _args, { models }) => findUnitsByIds(models, service.orgUnits),
      legalBasis: (service, _args, { models, viewer }) => findPoliciesByDocNumbers(models, viewer, service.legalBasisDocNumbers),
    },
    Policy: {
      department: (policy, _args, { models }) => models.Department.findOne({ code: policy.department }).lean().exec(),
      orgUnits: (policy, _args, { models }) => findUnitsByIds(models, policy.orgUnits),
      supersededBy: async (policy, _args, { models, viewer }) =>
        policy.supersededByDocNumber ? ((await findPoliciesByDocNumbers(models, viewer, [policy.supersededByDocNumber]))[0] ?? null) : null,
    },
    Event: {
      department: (event, _args, { models }) => models.Department.findOne({ code: event.department }).lean().exec(),
      orgUnits: (event, _args, { models }) => findUnitsByIds(models, event.orgUnits),
    },
  },
};

interface Variant {
  name: string;
  url: string;
  server: Server;
  stop(): Promise<void>;
}

interface RunResult {
  requests: number;
  seconds: number;
  latencies: number[];
  errors: number;
}


async function startVariant(name: string, models: Models, connection: Parameters<typeof createApp>[0]['connection'], modules: readonly ResolverModule[]): Promise<Variant> {
  const hub = await createApp({ connection, models, log: pino({ level: 'silent' }), schema: buildSchema(modules) });
  const server = hub.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    name,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    server,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await hub.stop();
    },
  };
}

async function request(url: string): Promise<boolean> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }) });
  const body = (await response.json()) as { data?: { resources: { edges: unknown[] } }; errors?: unknown[] };
  return response.ok && !body.errors && body.data?.resources.edges.length === 20;
}

async function load(url: string, clients: number, seconds: number): Promise<RunResult> {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const ok = await request(url);
        latencies.push(performance.now() - t0);
        if (!ok) errors += 1;
      }
    }),
  );
  return { requests: latencies.length, seconds: (performance.now() - started) / 1000, latencies, errors };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Depth of the deepest field path (inline fragments add no depth). */
function queryDepth(query: string): number {
  const depthOf = (set: SelectionSetNode | undefined): number => {
    if (!set) return 0;
    return Math.max(
      ...set.selections.map((selection) =>
        selection.kind === Kind.FIELD ? 1 + depthOf(selection.selectionSet) : selection.kind === Kind.INLINE_FRAGMENT ? depthOf(selection.selectionSet) : 0,
      ),
    );
  };
  const [operation] = parse(query).definitions;
  return operation && operation.kind === Kind.OPERATION_DEFINITION ? depthOf(operation.selectionSet) : 0;
}

const store = await startBenchStore('bench-hub-core');
const dbUri = new URL(store.uri);
dbUri.pathname = `/bench_hub_core_${Date.now()}`;
const connection = await connectStore(dbUri.toString(), { monitorCommands: true });
const models = createModels(connection);
await ensureIndexes(models);
await insertNestedCatalogue(models, RESOURCES);

let commandCount = 0;
connection.getClient().on('commandStarted', (event) => {
  if (!['hello', 'ping', 'endSessions', 'isMaster'].includes(event.commandName)) commandCount += 1;
});

const variants = [await startVariant('DataLoader', models, connection, resolverModules), await startVariant('naive', models, connection, [...resolverModules, naiveModule])];

const commandsPerRequest = new Map<string, number>();
for (const variant of variants) {
  if (!(await request(variant.url))) throw new Error(`${variant.name}: the nested query failed`);
  commandCount = 0;
  await request(variant.url);
  commandsPerRequest.set(variant.name, commandCount);
  await load(variant.url, 4, QUICK ? 0.5 : 1); // warm-up
}

const depth = queryDepth(QUERY);
console.log(`## Hub core: nested query, ${RESOURCES} resources in the store, ${SECONDS_PER_RUN}s per run${QUICK ? ' (BENCH_QUICK)' : ''}\n`);
console.log(`Query depth ${depth}; database commands per request: DataLoader ${commandsPerRequest.get('DataLoader')}, naive ${commandsPerRequest.get('naive')} (target ≤ depth + 1 = ${depth + 1}).\n`);
console.log('| clients | resolvers | requests | req/s | p50 ms | p99 ms | errors | throughput vs naive |');
console.log('|---:|---|---:|---:|---:|---:|---:|---:|');
for (const clients of CONCURRENCY) {
  const results = new Map<string, RunResult>();
  for (const variant of variants) results.set(variant.name, await load(variant.url, clients, SECONDS_PER_RUN));
  const rate = (result: RunResult) => result.requests / result.seconds;
  const naiveRate = rate(results.get('naive')!);
  for (const [name, result] of results) {
    const sorted = [...result.latencies].sort((a, b) => a - b);
    const ratio = name === 'naive' ? '1.0×' : `${(rate(result) / naiveRate).toFixed(1)}×`;
    console.log(
      `| ${clients} | ${name} | ${result.requests} | ${rate(result).toFixed(1)} | ${percentile(sorted, 50).toFixed(1)} | ${percentile(sorted, 99).toFixed(1)} | ${result.errors} | ${ratio} |`,
    );
  }
}

for (const variant of variants) await variant.stop();
await connection.dropDatabase();
await connection.close();
await store.stop();
