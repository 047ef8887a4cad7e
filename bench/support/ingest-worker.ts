/**
 * One sync benchmark in a process of its own, so its peak RSS is the sync's alone (the store
 * runs in another process). Serves a generated source on 127.0.0.1 (rows are produced as they
 * are sent, so the source holds no copy), syncs it, optionally syncs it again unchanged, and
 * times a raw insertMany of the same stored documents into a collection with the same indexes.
 *
 * Usage: tsx bench/support/ingest-worker.ts '<json: {uri, format, rows, resync, baseline, storePid?}>'
 * Prints one JSON line of results. Each timed part also reports the CPU time this process and
 * the store's process (storePid, read from /proc) spent on it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { Types } from 'mongoose';
import { connectStore } from '../../src/db/connection.js';
import { orgUnitModel } from '../../src/db/models/org-unit.js';
import { createIngestRuntime, ensureIngestIndexes, runFeed } from '../../src/ingest/index.js';
import { servicesMapping } from '../../test/ingest/services-mapping.js';
import { createPrng } from '../../seeds/prng.js';
import { demoCorpus } from './corpus.js';
import { processCpuMs } from './measure.js';

interface Job {
  uri: string;
  format: 'csv' | 'json';
  rows: number;
  resync: boolean;
  baseline: boolean;
  /** The embedded store's process, whose CPU time is reported beside each timing. */
  storePid?: number;
}

/** CPU milliseconds spent by this process and by the store's process. */
interface CpuSpent {
  workerMs: number;
  storeMs: number | null;
}

function cpuNow(): CpuSpent {
  const own = process.cpuUsage();
  return { workerMs: (own.user + own.system) / 1000, storeMs: processCpuMs(job.storePid) ?? null };
}

function cpuSince(start: CpuSpent): CpuSpent {
  const now = cpuNow();
  return { workerMs: now.workerMs - start.workerMs, storeMs: now.storeMs === null || start.storeMs === null ? null : now.storeMs - start.storeMs };
}

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const PAGE = 1_000;
const ORG_CODES = ['330102', '330105'];
const corpus = demoCorpus();

/**
 * Row i, the same on every request (a re-sync reads identical rows): a title recombined
 * from the demo catalogue as the search benchmark does it (area name, catalogue title,
 * suffix), the catalogue service's own materials (or 1–3 others), varied time limits.
 */
function row(i: number): { id: string; name: string; materials: string; days: number; org: string } {
  const prng = createPrng(Math.imul(i + 1, 0x9e3779b1));
  const base = prng.pick(corpus.seeds);
  const own = base.kind === 'SERVICE' ? base.materials ?? [] : [];
  const materials = own.length > 0 ? own : Array.from({ length: prng.int(1, 3) }, () => prng.pick(corpus.materials));
  return {
    id: String(i).padStart(8, '0'),
    name: corpus.title(base, prng),
    materials: [...new Set(materials)].join('；'),
    days: prng.int(1, 20),
    org: ORG_CODES[i % 2]!,
  };
}

/** A CSV field, quoted when it holds a delimiter, quote or line break. */
function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(i: number): string {
  const r = row(i);
  return `${r.id},${csvField(r.name)},${csvField(r.materials)},${r.days},${r.org}\n`;
}

const server = http.createServer(async (request, response) => {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  if (url.pathname === '/services.csv') {
    response.setHeader('content-type', 'text/csv; charset=utf-8');
    response.write('编码,名称,材料,时限,区划\n');
    for (let start = 0; start < job.rows; start += PAGE) {
      let chunk = '';
      for (let i = start; i < Math.min(start + PAGE, job.rows); i++) chunk += csvLine(i);
      if (!response.write(chunk)) await once(response, 'drain');
    }
    response.end();
    return;
  }
  const page = Number(url.searchParams.get('page') ?? '1');
  const items = [];
  for (let i = (page - 1) * PAGE; i < Math.min(page * PAGE, job.rows); i++) items.push(row(i));
  response.setHeader('content-type', 'application/json');
  response.end(JSON.stringify({ total: job.rows, items }));
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const source = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const connection = await connectStore(job.uri, { monitorCommands: true });
const runtime = createIngestRuntime(connection, {
  log: { info() {}, warn() {}, error() {} },
  // A 1M-row CSV is about 120 MB: above the default 64 MiB response cap (a feed setting), so the bench raises it.
  fetch: { allowlist: ['127.0.0.1'], retries: 0, timeoutMs: 120_000, maxBytes: 1024 * 1024 * 1024 },
  batchSize: 1_000,
});
await ensureIngestIndexes(runtime.models);
await runtime.models.Resource.createCollection().catch(() => undefined);
await runtime.models.Resource.createIndexes();
const OrgUnit = orgUnitModel(connection);
const city = await OrgUnit.create({ code: '330100', name: '杭州市', level: 1, kind: 'CITY', parentId: null, ancestors: [] });
for (const code of ORG_CODES) await OrgUnit.create({ code, name: `区${code}`, level: 2, kind: 'DISTRICT', parentId: city._id, ancestors: [city._id] });

const csvMapping = { ...servicesMapping, constants: { department: 'hrss' } };
const jsonMapping = {
  ...csvMapping,
  fields: [
    { target: 'itemCode', source: 'id' },
    { target: 'title', source: 'name' },
    { target: 'materials', source: 'materials', transforms: [{ op: 'split' }] },
    { target: 'timeLimitDays', source: 'days' },
    { target: 'orgUnitCodes', source: 'org' },
  ],
};
const feed = await runtime.models.Feed.create(
  job.format === 'csv'
    ? { name: 'bench-csv', department: 'hrss', connector: 'csv', targetKind: 'SERVICE', reviewPolicy: 'AUTO_PUBLISH', config: { url: `${source}/services.csv`, idPath: '编码', encoding: 'utf-8' }, mapping: csvMapping }
    : {
        name: 'bench-json', department: 'hrss', connector: 'rest', targetKind: 'SERVICE', reviewPolicy: 'AUTO_PUBLISH',
        config: { url: `${source}/services`, idPath: 'id', recordsPath: 'items', pagination: { type: 'page', pageSize: PAGE, totalPath: 'total' } },
        mapping: jsonMapping,
      },
);

let resourceWrites = 0;
connection.getClient().on('commandStarted', (event) => {
  if (['insert', 'update', 'delete', 'findAndModify'].includes(event.commandName) && event.command[event.commandName] === 'resources') resourceWrites += 1;
});

async function sync(): Promise<{ ms: number; cpu: CpuSpent; stats: unknown; status: string; writes: number }> {
  resourceWrites = 0;
  const cpuStart = cpuNow();
  const started = performance.now();
  const outcome = await runFeed(runtime, feed._id, { trigger: 'MANUAL' });
  const ms = performance.now() - started;
  const cpu = cpuSince(cpuStart);
  if (!outcome.started) throw new Error('run did not start');
  return { ms, cpu, stats: outcome.run.stats, status: outcome.run.status, writes: resourceWrites };
}

const first = await sync();
const peakRssMb = process.resourceUsage().maxRSS / 1024;
const second = job.resync ? await sync() : null;

let baselineMs: number | null = null;
const baselineCpu: CpuSpent = { workerMs: 0, storeMs: job.storePid === undefined ? null : 0 };
if (job.baseline) {
  const db = connection.db!;
  const target = db.collection('baseline_resources');
  for (const index of await runtime.models.Resource.collection.indexes()) {
    if (index.name === '_id_') continue;
    const { unique, sparse, partialFilterExpression } = index;
    await target.createIndex(index.key, { name: index.name, ...(unique ? { unique } : {}), ...(sparse ? { sparse } : {}), ...(partialFilterExpression ? { partialFilterExpression } : {}) });
  }
  baselineMs = 0;
  const cursor = runtime.models.Resource.collection.find({ 'provenance.feedId': feed._id }).batchSize(PAGE);
  let batch: Record<string, unknown>[] = [];
  const flush = async (): Promise<void> => {
    const cpuStart = cpuNow();
    const started = performance.now();
    await target.insertMany(batch, { ordered: false });
    baselineMs! += performance.now() - started;
    const cpu = cpuSince(cpuStart);
    baselineCpu.workerMs += cpu.workerMs;
    baselineCpu.storeMs = baselineCpu.storeMs === null || cpu.storeMs === null ? null : baselineCpu.storeMs + cpu.storeMs;
    batch = [];
  };
  for await (const doc of cursor) {
    batch.push({ ...doc, _id: new Types.ObjectId() });
    if (batch.length === PAGE) await flush();
  }
  if (batch.length > 0) await flush();
}

process.stdout.write(`${JSON.stringify({ first, second, peakRssMb, baselineMs, baselineCpu })}\n`);
await connection.dropDatabase();
await connection.close();
server.close();
