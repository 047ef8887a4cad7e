/**
 * Ingest benchmark: a generated CSV feed and a paged JSON feed served on 127.0.0.1, synced by
 * the real engine into the embedded store (its own process, as beside the hub). Each sync runs
 * in a worker process so its peak RSS is its own. Baseline: a raw insertMany of the same stored
 * documents into a collection with the same indexes, in the same run.
 *
 * Beside wall time it reports the CPU seconds the worker and the store's process spent on each
 * part (/proc): on a shared machine wall time moves with the load, CPU time hardly does.
 *
 * Sizes: BENCH_ROWS (default 100000; BENCH_QUICK=1: 10000) and BENCH_MEMORY_ROWS for the memory
 * run (default 10 × BENCH_ROWS). Set MONGODB_URI to bench a real MongoDB instead.
 */
import { execFile } from 'node:child_process';
import { totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import { startBenchStore } from './support/bench-store.js';

const run = promisify(execFile);
const quick = process.env.BENCH_QUICK === '1';
const rows = Number(process.env.BENCH_ROWS ?? (quick ? 10_000 : 100_000));
const memoryRows = Number(process.env.BENCH_MEMORY_ROWS ?? rows * 10);
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/** CPU milliseconds of the worker process and of the store's (null for MONGODB_URI). */
interface CpuSpent {
  workerMs: number;
  storeMs: number | null;
}
interface SyncResult {
  ms: number;
  cpu: CpuSpent;
  status: string;
  writes: number;
  stats: Record<string, number>;
}
interface WorkerResult {
  first: SyncResult;
  second: SyncResult | null;
  peakRssMb: number;
  baselineMs: number | null;
  baselineCpu: CpuSpent;
}

/**
 * The embedded store keeps every document on its JS heap, ≈ 11 KB per stored bench resource
 * (≈ 1.1 GB at 100k, measured; 13 KB allowed here), so the memory run needs a heap sized for it,
 * within three quarters of the machine's memory. The earlier runs' databases are dropped before it.
 */
function storeHeapMb(): number {
  const needed = Math.ceil((Math.max(memoryRows, 3 * rows) * 13) / 1024) + 2048;
  return Math.min(Math.max(needed, 4096), Math.floor((totalmem() / 2 ** 20) * 0.75));
}

function dbUri(uri: string, name: string): string {
  const url = new URL(uri);
  url.pathname = `/${name}`;
  return url.toString();
}

async function worker(uri: string, job: { format: 'csv' | 'json'; rows: number; resync: boolean; baseline: boolean }, name: string): Promise<WorkerResult> {
  const args = JSON.stringify({ uri: dbUri(uri, name), storePid: store.pid, ...job });
  const { stdout } = await run(process.execPath, ['--import', 'tsx', here('./support/ingest-worker.ts'), args], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as WorkerResult;
}

/** Frees the store's memory (and a real MongoDB's disk) of runs already reported. */
async function dropDatabases(uri: string, names: string[]): Promise<void> {
  const client = await new MongoClient(uri).connect();
  try {
    for (const name of names) await client.db(name).dropDatabase();
  } finally {
    await client.close();
  }
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
/** CPU seconds as `worker + store`: what the work cost, which a busy machine hardly changes (wall time it does). */
const cpu = ({ workerMs, storeMs }: CpuSpent): string => `${fmt(workerMs / 1000, 1)} + ${storeMs === null ? '–' : fmt(storeMs / 1000, 1)}`;
const store = await startBenchStore('gx-ingest-bench', [`--max-old-space-size=${storeHeapMb()}`]);
try {
  const csv = await worker(store.uri, { format: 'csv', rows, resync: true, baseline: true }, 'bench_ingest_csv');
  const json = await worker(store.uri, { format: 'json', rows, resync: true, baseline: false }, 'bench_ingest_json');
  // The table so far is printed before the (long) memory run, so a failure there keeps it.
  console.log(
    [
      `Ingest, ${fmt(rows)} rows (memory run: ${fmt(memoryRows)} rows), embedded store in its own process${process.env.MONGODB_URI ? ' (MONGODB_URI)' : ''}:`,
      '',
      '| scenario | time (s) | records/s | CPU s (worker + store) | peak RSS (MB) | resource writes | vs baseline |',
      '|---|---:|---:|---:|---:|---:|---:|',
      `| raw insertMany of the same ${fmt(rows)} docs (baseline) | ${fmt(csv.baselineMs! / 1000, 1)} | ${fmt(rows / (csv.baselineMs! / 1000))} | ${cpu(csv.baselineCpu)} | – | – | 1.00× |`,
      `| CSV feed, first sync | ${fmt(csv.first.ms / 1000, 1)} | ${fmt(rows / (csv.first.ms / 1000))} | ${cpu(csv.first.cpu)} | ${fmt(csv.peakRssMb)} | ${csv.first.writes} bulk commands | ${fmt(csv.first.ms / csv.baselineMs!, 2)}× |`,
      `| CSV feed, re-sync unchanged | ${fmt(csv.second!.ms / 1000, 1)} | ${fmt(rows / (csv.second!.ms / 1000))} | ${cpu(csv.second!.cpu)} | – | ${csv.second!.writes} | ${fmt(csv.second!.ms / csv.first.ms, 2)}× of first sync |`,
      `| paged JSON feed (REST, 1000/page), first sync | ${fmt(json.first.ms / 1000, 1)} | ${fmt(rows / (json.first.ms / 1000))} | ${cpu(json.first.cpu)} | ${fmt(json.peakRssMb)} | ${json.first.writes} bulk commands | ${fmt(json.first.ms / csv.baselineMs!, 2)}× |`,
      `| paged JSON feed, re-sync unchanged | ${fmt(json.second!.ms / 1000, 1)} | ${fmt(rows / (json.second!.ms / 1000))} | ${cpu(json.second!.cpu)} | – | ${json.second!.writes} | ${fmt(json.second!.ms / json.first.ms, 2)}× of first sync |`,
    ].join('\n'),
  );
  await dropDatabases(store.uri, ['bench_ingest_csv', 'bench_ingest_json']);
  const memory = await worker(store.uri, { format: 'csv', rows: memoryRows, resync: false, baseline: false }, 'bench_ingest_memory');
  console.log(
    [
      `| CSV feed, ${fmt(memoryRows)} rows (memory) | ${fmt(memory.first.ms / 1000, 1)} | ${fmt(memoryRows / (memory.first.ms / 1000))} | ${cpu(memory.first.cpu)} | ${fmt(memory.peakRssMb)} | – | peak RSS ${fmt(memory.peakRssMb / csv.peakRssMb, 2)}× of ${fmt(rows)} rows |`,
      '',
      `Run stats: CSV ${JSON.stringify(csv.first.stats)}; re-sync ${JSON.stringify(csv.second!.stats)}; memory run ${memory.first.status} ${JSON.stringify(memory.first.stats)}.`,
    ].join('\n'),
  );
} finally {
  await store.stop();
}
