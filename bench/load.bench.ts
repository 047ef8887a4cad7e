/**
 * Load: 200 concurrent clients for 60 s (BENCH_QUICK=1: 10 s) against the nested query
 * (20 resources with department, org units and ancestors, linked policies and services),
 * with autocannon, against the hub app running as its own process (development hardening
 * settings: every operation limit on, rate limits off) on the embedded store in a third
 * process. Reports 5xx and errors, p50/p99 latency, and the hub's RSS at the start, middle
 * and end (from its own /metrics). Baseline in the same run: `{ __typename }` at the same
 * concurrency for a fifth of the time (no store access: the cost of the HTTP/GraphQL stack).
 *
 * Usage: npx tsx bench/load.bench.ts   (BENCH_QUICK=1 for a short run; MONGODB_URI to use a real MongoDB)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { connectStore, createModels, ensureIndexes } from '../src/db/index.js';
import { NESTED_QUERY, insertNestedCatalogue } from '../test/hub/nested-fixture.js';

const QUICK = process.env.BENCH_QUICK === '1';
const SECONDS = QUICK ? 10 : 60;
const CONNECTIONS = 200;
const RESOURCES = 600;

async function firstLineOf(child: ChildProcess): Promise<Record<string, string>> {
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return JSON.parse(line) as Record<string, string>;
}

async function startChild(script: string, args: string[]): Promise<{ info: Record<string, string>; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL(script, import.meta.url)), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const info = await firstLineOf(child);
  return {
    info,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function rssOf(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^gx_process_resident_memory_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(text);
  if (!match) throw new Error('no RSS in /metrics');
  return Number(match[1]) / 1024 / 1024;
}

function run(url: string, query: string, variables: Record<string, unknown>, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url: `${url}/graphql`,
    connections: CONNECTIONS,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
    // On a saturated 2-core machine a request can wait longer than autocannon's 10 s default.
    timeout: 120,
  });
}

const EXTERNAL_URI = process.env.MONGODB_URI;
const dataDir = EXTERNAL_URI ? null : await mkdtemp(join(tmpdir(), 'bench-load-'));
const store = dataDir ? await startChild('./support/embedded-server-process.ts', [dataDir]) : null;
const baseUri = store ? store.info.uri! : EXTERNAL_URI!;
const uri = new URL(baseUri);
uri.pathname = `/bench_load_${process.pid}`;

const connection = await connectStore(uri.toString());
const models = createModels(connection);
await ensureIndexes(models);
await insertNestedCatalogue(models, RESOURCES);

// The execution time cap is raised for the run: saturated on this machine, the store makes requests
// wait longer than the default 10 s, and the point here is whether the hub survives and leaks.
process.env.GRAPHQL_EXECUTION_TIMEOUT_MS ??= '120000';
const hub = await startChild('./support/load-hub-process.ts', [uri.toString()]);
const url = hub.info.url!;
try {
  const baseline = await run(url, '{ __typename }', {}, Math.max(2, SECONDS / 5));
  // Warm-up: JIT, connection pool, validated-document cache.
  await run(url, NESTED_QUERY, { n: 20 }, 2);
  const rssStart = await rssOf(url);
  let rssMiddle = 0;
  const middle = setTimeout(() => {
    void rssOf(url).then((rss) => (rssMiddle = rss));
  }, (SECONDS * 1000) / 2);
  const nested = await run(url, NESTED_QUERY, { n: 20 }, SECONDS);
  clearTimeout(middle);
  const rssEnd = await rssOf(url);

  const row = (name: string, result: autocannon.Result) =>
    `| ${name} | ${CONNECTIONS} | ${result.duration.toFixed(0)} | ${result.requests.total} | ${result.requests.average.toFixed(0)} | ${result.latency.p50} | ${result.latency.p99} | ${result['5xx']} | ${result.errors + result.timeouts} | ${result.non2xx} |`;
  console.log(`\n## Load (${QUICK ? 'quick' : 'full'} run, ${RESOURCES} resources, nested query first: 20)\n`);
  console.log('| run | clients | s | requests | req/s | p50 ms | p99 ms | 5xx | errors+timeouts | non-2xx |');
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  console.log(row('baseline `{ __typename }`', baseline));
  console.log(row('nested query', nested));
  console.log(`\n| ratio nested / baseline | req/s ${(nested.requests.average / baseline.requests.average).toFixed(3)} | p50 ${(nested.latency.p50 / Math.max(baseline.latency.p50, 1)).toFixed(1)}x |`);
  const growth = ((rssEnd - rssMiddle) / rssMiddle) * 100;
  console.log(`\n| hub RSS MB | start ${rssStart.toFixed(1)} | middle ${rssMiddle.toFixed(1)} | end ${rssEnd.toFixed(1)} | second-half growth ${growth.toFixed(1)}% |`);
} finally {
  await hub.stop();
  await connection.dropDatabase().catch(() => undefined);
  await connection.close();
  await store?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
