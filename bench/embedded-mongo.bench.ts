/**
 * The embedded MongoDB-compatible server: throughput through the real driver over TCP, with
 * the server in its own process on a dataDir (journal + fsync on), each figure next to the
 * same work done in-process with mingo on plain arrays in this run. The ratio is the cost of
 * the wire and of durability (or, for indexed lookups, what indexes win over a scan).
 *
 *   npx tsx bench/embedded-mongo.bench.ts        (BENCH_QUICK=1 shrinks the sizes)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ObjectId, deserialize, serialize, type Document } from 'bson';
import { Aggregator, Query } from 'mingo';
import { MongoClient } from 'mongodb';
import { openFileDurability, type JournalOp } from '../src/embedded-mongo/storage/index.js';
import { formatNumber, meanLatencyMs, opsPerSecond, printTable, timed, type Measured } from './support/measure.js';

const quick = process.env.BENCH_QUICK === '1';
const INSERT_DOCS = quick ? 10_000 : 100_000;
const LOOKUPS = quick ? 1_000 : 10_000;
const MINGO_LOOKUPS = quick ? 50 : 200;
const GROUP_RUNS = quick ? 2 : 5;
const RESTART_DOCS = quick ? 100_000 : 1_000_000;
const SERVER_SCRIPT = fileURLToPath(new URL('./support/embedded-server-process.ts', import.meta.url));
const GROUP_PIPELINE: Document[] = [
  { $group: { _id: '$group', count: { $sum: 1 }, qty: { $sum: '$qty' }, avgPrice: { $avg: '$price' } } },
];

function smallDoc(i: number): Document {
  return { sku: `sku-${i}`, group: i % 100, qty: i % 7, price: (i % 1000) / 10, tags: ['party', 'service'] };
}

interface ServerProcess {
  uri: string;
  startMs: number;
  startCpuMs: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startServer(dataDir: string): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_SCRIPT, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await Promise.race([once(lines, 'line'), once(child, 'exit')])) as [string];
  if (typeof first !== 'string') throw new Error('嵌入式服务器未能启动 / embedded server failed to start');
  const { uri, startMs, startCpuMs } = JSON.parse(first) as { uri: string; startMs: number; startCpuMs: number };
  return {
    uri,
    startMs,
    startCpuMs,
    child,
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    },
  };
}

function accumulate(total: Measured, part: Measured): void {
  total.ops += part.ops;
  total.ms += part.ms;
}

const rows: string[][] = [['benchmark', 'embedded server', 'mingo in-process', 'server ÷ mingo', 'notes']];
function addRow(name: string, server: Measured, baseline: Measured, unit: string, notes: string): void {
  const serverRate = opsPerSecond(server);
  const baselineRate = opsPerSecond(baseline);
  rows.push([
    name,
    `${formatNumber(serverRate)} ${unit}/s`,
    `${formatNumber(baselineRate)} ${unit}/s`,
    `${formatNumber(serverRate / baselineRate)}×`,
    notes,
  ]);
}

async function benchWorkload(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gx-bench-'));
  const server = await startServer(dataDir);
  const client = new MongoClient(server.uri, { maxPoolSize: 1 });
  try {
    const coll = client.db('bench').collection('items');
    await coll.createIndex({ sku: 1 });
    // Warms up the JIT on both sides, so the timed insert shows the steady state.
    await client.db('bench').collection('warmup').insertMany(Array.from({ length: 5_000 }, (_, i) => smallDoc(i)));
    const docs = Array.from({ length: INSERT_DOCS }, (_, i) => smallDoc(i));
    const insert = await timed(INSERT_DOCS, () => coll.insertMany(docs));
    const array: Document[] = [];
    const baselineInsert = await timed(INSERT_DOCS, () => {
      for (const doc of docs) array.push({ _id: new ObjectId(), ...doc });
    });
    addRow(`insertMany ${INSERT_DOCS.toLocaleString('en-US')} small docs`, insert, baselineInsert, 'docs',
      'one call, after a 5k-doc warm-up; journal + fsync; `sku` index maintained; baseline pushes copies into an array');

    const ids = docs.map((doc) => doc._id as ObjectId);
    const pick = (i: number) => (i * 7919) % INSERT_DOCS;
    const admin = client.db('admin');
    // Interleaved in slices, so that a busy machine slows ping and lookups alike and their
    // ratio stays fair.
    const ping: Measured = { ops: 0, ms: 0 };
    const byId: Measured = { ops: 0, ms: 0 };
    const bySku: Measured = { ops: 0, ms: 0 };
    const SLICE = 500;
    // The first slice warms up the JIT on both sides and is not counted.
    for (let from = -SLICE; from < LOOKUPS; from += SLICE) {
      const to = Math.min(from + SLICE, LOOKUPS);
      const counted = from >= 0;
      const slice = async (total: Measured, lookup: (i: number) => Promise<unknown>) => {
        const measured = await timed(to - from, async () => {
          for (let i = from; i < to; i += 1) await lookup(Math.abs(i));
        });
        if (counted) accumulate(total, measured);
      };
      await slice(ping, () => admin.command({ ping: 1 }));
      await slice(byId, (i) => coll.findOne({ _id: ids[pick(i)] }));
      await slice(bySku, (i) => coll.find({ sku: `sku-${pick(i)}` }).toArray());
    }
    const mingoById = await timed(MINGO_LOOKUPS, () => {
      for (let i = 0; i < MINGO_LOOKUPS; i += 1) new Query({ _id: array[pick(i)]!._id }).find(array).next();
    });
    const mingoBySku = await timed(MINGO_LOOKUPS, () => {
      for (let i = 0; i < MINGO_LOOKUPS; i += 1) new Query({ sku: `sku-${pick(i)}` }).find(array).all();
    });
    const pingMs = meanLatencyMs(ping);
    const latencyNote = (m: Measured) =>
      `${formatNumber(meanLatencyMs(m) * 1000)} µs each = **${(meanLatencyMs(m) / pingMs).toFixed(2)}× ping** (${formatNumber(pingMs * 1000)} µs); mingo scans ${INSERT_DOCS.toLocaleString('en-US')} docs`;
    addRow(`findOne by _id ×${LOOKUPS.toLocaleString('en-US')}`, byId, mingoById, 'ops', latencyNote(byId));
    addRow(`find on indexed field ×${LOOKUPS.toLocaleString('en-US')}`, bySku, mingoBySku, 'ops', latencyNote(bySku));

    const group = await timed(GROUP_RUNS * INSERT_DOCS, async () => {
      for (let i = 0; i < GROUP_RUNS; i += 1) await coll.aggregate(GROUP_PIPELINE).toArray();
    });
    const mingoGroup = await timed(GROUP_RUNS * INSERT_DOCS, () => {
      for (let i = 0; i < GROUP_RUNS; i += 1) new Aggregator(GROUP_PIPELINE).run(array);
    });
    addRow(`$group over ${INSERT_DOCS.toLocaleString('en-US')} docs`, group, mingoGroup, 'docs',
      `${formatNumber(group.ms / GROUP_RUNS)} ms per run; 100 groups, $sum and $avg`);
  } finally {
    await client.close();
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Writes the journal directly through the storage layer: RESTART_DOCS puts in 10k batches. */
async function writeJournal(dataDir: string): Promise<Document[]> {
  const store = await openFileDurability(dataDir);
  await store.recover(() => undefined);
  await store.commit([
    { op: 'createCollection', db: 'bench', coll: 'restart' },
    { op: 'createIndex', db: 'bench', coll: 'restart', index: { name: 'sku_1', key: { sku: 1 } } },
  ]);
  const docs: Document[] = [];
  for (let i = 0; i < RESTART_DOCS; i += 10_000) {
    const batch: JournalOp[] = [];
    for (let j = i; j < Math.min(i + 10_000, RESTART_DOCS); j += 1) {
      const doc = { _id: new ObjectId(), ...smallDoc(j) };
      docs.push(doc);
      batch.push({ op: 'put', db: 'bench', coll: 'restart', doc });
    }
    await store.commit(batch);
  }
  await store.close();
  return docs;
}

async function benchRestart(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gx-bench-restart-'));
  try {
    const docs = await writeJournal(dataDir);
    const spawned = performance.now();
    const server = await startServer(dataDir);
    const withProcess = performance.now() - spawned;
    const client = new MongoClient(server.uri);
    const count = await client.db('bench').collection('restart').countDocuments();
    await client.close();
    await server.stop();
    if (count !== RESTART_DOCS) throw new Error(`restart recovered ${count} of ${RESTART_DOCS} docs`);

    // Baseline: the least work any restart must do, decoding the same documents into an array.
    const encoded = docs.map((doc) => serialize(doc));
    const decode = await timed(RESTART_DOCS, () => encoded.map((bytes) => deserialize(bytes)));
    const restart: Measured = { ops: RESTART_DOCS, ms: server.startMs };
    addRow(`restart with ${RESTART_DOCS.toLocaleString('en-US')} docs in the journal`, restart, decode, 'docs',
      `**${(server.startMs / 1000).toFixed(2)} s** to recover + listen, of which ${(server.startCpuMs / 1000).toFixed(2)} s CPU ` +
        `(${(withProcess / 1000).toFixed(2)} s from process spawn); ` +
        '`sku` index rebuilt; baseline only BSON-decodes the docs into an array');
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

console.log(
  `embedded-mongo benchmark${quick ? ' (BENCH_QUICK)' : ''}: node ${process.version}, ${cpus().length} CPUs, ` +
    `load average at start ${loadavg().map((value) => value.toFixed(1)).join(' / ')}\n`,
);
await benchWorkload();
await benchRestart();
printTable(rows);
