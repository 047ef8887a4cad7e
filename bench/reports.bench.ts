/**
 * Reports: a 100k-resource corpus over a four-level tree (1 city, 10 districts, 100 townships,
 * 2,000 grassroots units). Times each built-in report (coverage matrix, feed health, policy
 * landscape, review backlog) and a department × month × district pivot, each compiled to one
 * aggregation pipeline, against pulling the rows it reads into Node and grouping there, in the
 * same run on the same store. Both must give the same figures (the first measure of each row).
 *
 * Usage: npx tsx bench/reports.bench.ts   (BENCH_QUICK=1: 10k resources; MONGODB_URI: a real MongoDB)
 */
import { readFile } from 'node:fs/promises';
import { Types } from 'mongoose';
import { connectStore, createModels, ensureIndexes, type Models } from '../src/db/index.js';
import { runBuiltInReport, runReport, bucketStart, type ReportTable } from '../src/domain/reports/index.js';
import { visibilityFilter, type UserViewer } from '../src/domain/visibility/index.js';
import { buildCorpus, insertCorpus } from '../test/reports/corpus.js';
import { formatNumber, printTable } from './support/measure.js';
import { startBenchStore, type BenchStore } from './support/bench-store.js';

const QUICK = process.env.BENCH_QUICK === '1';
const RESOURCES = QUICK ? 10_000 : 100_000;
const RUNS = 3;

async function startEmbeddedStore(): Promise<BenchStore> {
  const store = await startBenchStore('bench-reports');
  return { ...store, uri: store.uri.replace(/\/?(\?|$)/, '/bench_reports$1') };
}

/** CPU time (ms) the embedded server's process has used, from /proc (Linux); 0 elsewhere or for MONGODB_URI. */
async function serverCpuMs(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  try {
    const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    // utime and stime (fields 14 and 15 of stat), in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

interface Timing {
  wallMs: number;
  /** CPU of this process and the server's: much less skewed than wall time by a busy machine. */
  cpuMs: number;
}

async function median(work: () => Promise<unknown>, serverPid: number | undefined): Promise<Timing> {
  const runs: Timing[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const cpuBefore = process.cpuUsage();
    const serverBefore = await serverCpuMs(serverPid);
    const started = performance.now();
    await work();
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    runs.push({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000 + (await serverCpuMs(serverPid)) - serverBefore });
  }
  const middle = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
  return { wallMs: middle(runs.map((run) => run.wallMs)), cpuMs: middle(runs.map((run) => run.cpuMs)) };
}

const admin: UserViewer = { kind: 'user', userId: new Types.ObjectId(), username: 'bench', grants: [{ role: 'PLATFORM_ADMIN', orgUnit: null, department: null, stages: [] }] };

type Units = Map<string, { level: number; ancestors: Types.ObjectId[] }>;
type Row = Record<string, any>;

/** Adds `weight` to the row's groups; a group seen with weight 0 still counts as a row, as in the pipeline's output. */
function tally(counts: Map<string, number>, keys: string[], weight = 1): void {
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + weight);
}

/**
 * The baseline: the visible rows with the fields a report reads, pulled into Node and grouped
 * there. `group` adds each row to its groups.
 */
async function pullAndGroup(models: Models, filter: Record<string, unknown>, fields: string[], group: (doc: Row, units: Units, counts: Map<string, number>) => void): Promise<Map<string, number>> {
  const units: Units = new Map((await models.OrgUnit.find({}, { level: 1, ancestors: 1 }).lean()).map((unit) => [unit._id.toHexString(), unit]));
  const projection = Object.fromEntries(fields.map((field) => [field, 1]));
  const rows = await models.Resource.collection.find({ $and: [visibilityFilter(admin) as Record<string, unknown>, filter] }, { projection }).toArray();
  const counts = new Map<string, number>();
  for (const row of rows) group(row, units, counts);
  return counts;
}

/** Feed health's baseline: the feeds and all their runs pulled, feeds counted per department. */
async function pullFeeds(models: Models): Promise<Map<string, number>> {
  const db = models.Resource.db;
  const [feeds] = await Promise.all([db.collection('feeds').find({ status: { $ne: 'DELETED' } }).toArray(), db.collection('syncRuns').find({}).toArray()]);
  const counts = new Map<string, number>();
  for (const feed of feeds) tally(counts, [String(feed.department ?? 'null')]);
  return counts;
}

/** Review backlog's baseline: the cases pulled, stage entries counted per stage × township. */
async function pullCases(models: Models): Promise<Map<string, number>> {
  const units: Units = new Map((await models.OrgUnit.find({}, { level: 1, ancestors: 1 }).lean()).map((unit) => [unit._id.toHexString(), unit]));
  const cases = await models.ReviewCase.collection.find({}, { projection: { orgPaths: 1, stageLog: 1 } }).toArray();
  const counts = new Map<string, number>();
  for (const reviewCase of cases) {
    for (const entry of reviewCase.stageLog as Row[]) tally(counts, anchors(reviewCase.orgPaths as Types.ObjectId[], units, 3).map((unit) => `${entry.stage as string}|${unit}`));
  }
  return counts;
}

function anchors(attached: Types.ObjectId[], units: Units, level: number): string[] {
  const found = new Set<string>();
  for (const id of attached) {
    const unit = units.get(id.toHexString())!;
    if (unit.level === level) found.add(id.toHexString());
    else if (unit.level > level) found.add(unit.ancestors[level - 1]!.toHexString());
  }
  return found.size === 0 ? ['null'] : [...found];
}

function tableCounts(table: ReportTable, dims: number): Map<string, number> {
  return new Map(table.rows.filter((row) => !row.gap).map((row) => [row.keys.slice(0, dims).map((key) => key ?? 'null').join('|'), row.cells[dims] as number]));
}

function sameCounts(a: Map<string, number>, b: Map<string, number>): boolean {
  return a.size === b.size && [...a].every(([key, value]) => b.get(key) === value);
}

const store = await startEmbeddedStore();
const connection = await connectStore(store.uri);
const models = createModels(connection);
try {
  await connection.dropDatabase();
  await ensureIndexes(models);
  const loadStarted = performance.now();
  await insertCorpus(models, buildCorpus({ districts: 10, townshipsPerDistrict: 10, unitsPerTownship: 20 }, RESOURCES, 2024));
  console.error(`loaded ${RESOURCES} resources in ${Math.round(performance.now() - loadStarted)} ms`);

  const results: string[][] = [['report', 'rows', 'pipeline (ms)', 'pull + group in Node (ms)', 'speed-up', 'pipeline CPU (ms)', 'pull + group CPU (ms)', 'CPU ratio']];
  const asOf = new Date('2024-03-01T00:00:00Z');
  const coverage = () => runBuiltInReport(models, admin, 'COVERAGE_MATRIX', { level: 3 });
  const coverageBaseline = () =>
    pullAndGroup(models, { kind: 'SERVICE' }, ['department', 'orgUnits'], (doc, units, counts) => tally(counts, anchors(doc.orgUnits, units, 3).map((unit) => `${unit}|${doc.department as string}`)));
  const feedHealth = () => runBuiltInReport(models, admin, 'FEED_HEALTH', { asOf });
  const policies = () => runBuiltInReport(models, admin, 'POLICY_LANDSCAPE', { asOf });
  // POLICIES_IN_FORCE per issuer × theme, as the pipeline's inForce.
  const inForce = (doc: Row): boolean =>
    doc.validity === 'VALID' && (doc.effectiveFrom == null || doc.effectiveFrom <= asOf) && (doc.effectiveTo == null || doc.effectiveTo > asOf);
  const policiesBaseline = () =>
    pullAndGroup(models, { kind: 'POLICY' }, ['issuers', 'theme', 'validity', 'effectiveFrom', 'effectiveTo'], (doc, _units, counts) => {
      const issuers = [...new Set((doc.issuers as string[] | undefined) ?? [])];
      const keys = (issuers.length > 0 ? issuers : ['null']).map((issuer) => `${issuer}|${String(doc.theme ?? 'null')}`);
      tally(counts, keys, inForce(doc) ? 1 : 0);
    });
  const reviews = () => runBuiltInReport(models, admin, 'REVIEW_BACKLOG', { level: 3 });
  const pivotSpec = { measures: ['RESOURCE_COUNT' as const], dimensions: [{ by: 'DEPARTMENT' as const }, { by: 'TIME' as const, unit: 'MONTH' as const }, { by: 'ORG_UNIT' as const, level: 2 }] };
  const pivot = () => runReport(models, admin, pivotSpec);
  const pivotBaseline = () =>
    pullAndGroup(models, {}, ['department', 'orgUnits', 'createdAt'], (doc, units, counts) =>
      tally(counts, anchors(doc.orgUnits, units, 2).map((unit) => `${doc.department as string}|${bucketStart(doc.createdAt as Date, 'MONTH').toISOString()}|${unit}`)),
    );

  for (const [name, run, baseline, dims] of [
    ['coverage matrix (townships × departments, services)', coverage, coverageBaseline, 2],
    ['feed health (per department)', feedHealth, () => pullFeeds(models), 1],
    ['policy landscape (issuer × theme, in force)', policies, policiesBaseline, 2],
    ['review backlog (stage × township)', reviews, () => pullCases(models), 2],
    ['department × month × district pivot', pivot, pivotBaseline, 3],
  ] as const) {
    const table = await run();
    const expected = await baseline();
    if (!sameCounts(tableCounts(table, dims), expected)) throw new Error(`${name}: pipeline and baseline disagree`);
    const pipeline = await median(run, store.pid);
    const pulled = await median(baseline, store.pid);
    results.push([
      name,
      String(table.rows.length),
      formatNumber(pipeline.wallMs),
      formatNumber(pulled.wallMs),
      `${(pulled.wallMs / pipeline.wallMs).toFixed(1)}×`,
      formatNumber(pipeline.cpuMs),
      formatNumber(pulled.cpuMs),
      `${(pulled.cpuMs / Math.max(pipeline.cpuMs, 1)).toFixed(1)}×`,
    ]);
  }
  console.log(`\n${RESOURCES.toLocaleString('en-US')} resources, 2,111 org units, ${process.env.MONGODB_URI ? 'MongoDB' : 'embedded store'}; median of ${RUNS} runs; CPU = this process + the server's\n`);
  printTable(results);
} finally {
  await connection.close();
  await store.stop();
}
