/**
 * Reports: a 100k-resource corpus over a four-level tree (1 city, 10 districts, 100 townships,
 * 2,000 grassroots units). Times each built-in report (coverage matrix, feed health, policy
 * landscape, policies expiring, review backlog) and a department × month × district pivot, each compiled to one
 * aggregation pipeline, against pulling the rows it reads into Node and grouping there, in the
 * same run on the same store. Both must give the same figures (the first measure of each row).
 *
 * Feed and review history is sized for a hub of that many resources (see HISTORY below and
 * docs/benchmarks.md "Reports"): months of scheduled runs for every feed, review cases for the
 * share published through review.
 *
 * Usage: npx tsx bench/reports.bench.ts   (BENCH_QUICK=1: 10k resources; BENCH_RESOURCES=n: n resources;
 * BENCH_RUNS=n: runs per side, default 5; MONGODB_URI: a real MongoDB)
 */
import { Types } from 'mongoose';
import { connectStore, createModels, ensureIndexes, type Models } from '../src/db/index.js';
import { runBuiltInReport, runReport, bucketStart, type ReportTable } from '../src/domain/reports/index.js';
import { visibilityFilter, type UserViewer } from '../src/domain/visibility/index.js';
import { buildCorpus, insertCorpus } from '../test/reports/corpus.js';
import { formatNumber, printTable, processCpuMs } from './support/measure.js';
import { startBenchStore, type BenchStore } from './support/bench-store.js';

const QUICK = process.env.BENCH_QUICK === '1';
const RESOURCES = Number(process.env.BENCH_RESOURCES ?? (QUICK ? 10_000 : 100_000));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/**
 * What a hub of RESOURCES resources holds besides them: a feed per ~500 records (200 at 100k),
 * 90 days of scheduled runs kept for each (hourly, 6-hourly or daily: ~7.5 runs a day on
 * average), a fifth of the resources published through review, and a third of those revised
 * (reviewed again) later.
 */
const HISTORY = { feeds: Math.max(5, Math.round(RESOURCES / 500)), runDays: 90, reviewedShare: 0.2, revisedShare: 0.3 };

async function startEmbeddedStore(): Promise<BenchStore> {
  const store = await startBenchStore('bench-reports');
  return { ...store, uri: store.uri.replace(/\/?(\?|$)/, '/bench_reports$1') };
}

interface Timing {
  wallMs: number;
  /** CPU of this process and the server's: much less skewed than wall time by a busy machine. */
  cpuMs: number;
}

/** One timed run: wall time, and the CPU time of this process plus the server's. */
async function timed(work: () => Promise<unknown>, serverPid: number | undefined): Promise<Timing> {
  const cpuBefore = process.cpuUsage();
  // 0 where the server's CPU cannot be read (another OS, MONGODB_URI).
  const serverBefore = processCpuMs(serverPid) ?? 0;
  const started = performance.now();
  await work();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 + (processCpuMs(serverPid) ?? 0) - serverBefore };
}

/**
 * Medians of RUNS runs of each side, the two sides alternating run by run: on a shared machine
 * the load changes within seconds, and timing one side's runs after the other's would hand
 * one of them a quieter stretch.
 */
async function medians(pipeline: () => Promise<unknown>, baseline: () => Promise<unknown>, serverPid: number | undefined): Promise<[Timing, Timing]> {
  const runs: [Timing[], Timing[]] = [[], []];
  for (let i = 0; i < RUNS; i += 1) {
    runs[0].push(await timed(pipeline, serverPid));
    runs[1].push(await timed(baseline, serverPid));
  }
  const middle = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
  const median = (side: Timing[]): Timing => ({ wallMs: middle(side.map((run) => run.wallMs)), cpuMs: middle(side.map((run) => run.cpuMs)) });
  return [median(runs[0]), median(runs[1])];
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

/**
 * Feed health's baseline: the feeds and the fields of their runs pulled, every measure computed
 * per department (feeds, worst lag, longest streak, success and quarantine rates); returns the
 * feed counts, which the check compares.
 */
async function pullFeeds(models: Models, asOf: Date): Promise<Map<string, number>> {
  const db = models.Resource.db;
  const [feeds, runs] = await Promise.all([
    db.collection('feeds').find({ status: { $ne: 'DELETED' } }, { projection: { department: 1, lastSuccessAt: 1, createdAt: 1, failureStreak: 1 } }).toArray(),
    db.collection('syncRuns').find({}, { projection: { feed: 1, status: 1, 'stats.fetched': 1, 'stats.quarantined': 1 } }).toArray(),
  ]);
  const runsByFeed = new Map<string, Row[]>();
  for (const run of runs) {
    const key = String(run.feed);
    const list = runsByFeed.get(key);
    if (list) list.push(run);
    else runsByFeed.set(key, [run]);
  }
  const groups = new Map<string, { feeds: number; lagHours: number; streak: number; ok: number; all: number; quarantined: number; fetched: number }>();
  for (const feed of feeds) {
    const key = String(feed.department ?? 'null');
    const group = groups.get(key) ?? { feeds: 0, lagHours: -Infinity, streak: 0, ok: 0, all: 0, quarantined: 0, fetched: 0 };
    group.feeds += 1;
    group.lagHours = Math.max(group.lagHours, (asOf.getTime() - ((feed.lastSuccessAt ?? feed.createdAt) as Date).getTime()) / 3_600_000);
    group.streak = Math.max(group.streak, feed.failureStreak as number);
    for (const run of runsByFeed.get(String(feed._id)) ?? []) {
      group.all += 1;
      if (run.status === 'SUCCEEDED') group.ok += 1;
      group.fetched += run.stats.fetched as number;
      group.quarantined += run.stats.quarantined as number;
    }
    groups.set(key, group);
  }
  return new Map([...groups].map(([key, group]) => [key, group.feeds]));
}

/** Review backlog's baseline: the cases pulled, stage entries, backlog and hours per stage × township; returns the entry counts. */
async function pullCases(models: Models): Promise<Map<string, number>> {
  const units: Units = new Map((await models.OrgUnit.find({}, { level: 1, ancestors: 1 }).lean()).map((unit) => [unit._id.toHexString(), unit]));
  const cases = await models.ReviewCase.collection.find({}, { projection: { orgUnits: 1, stageLog: 1, state: 1 } }).toArray();
  const groups = new Map<string, { entries: number; backlog: number; hoursSum: number; decided: number; hoursMax: number }>();
  for (const reviewCase of cases) {
    for (const entry of reviewCase.stageLog as Row[]) {
      const hours = entry.decidedAt instanceof Date ? (entry.decidedAt.getTime() - (entry.enteredAt as Date).getTime()) / 3_600_000 : null;
      for (const unit of anchors(reviewCase.orgUnits as Types.ObjectId[], units, 3)) {
        const key = `${entry.stage as string}|${unit}`;
        const group = groups.get(key) ?? { entries: 0, backlog: 0, hoursSum: 0, decided: 0, hoursMax: -Infinity };
        group.entries += 1;
        if (hours === null && reviewCase.state === 'IN_REVIEW') group.backlog += 1;
        if (hours !== null) {
          group.hoursSum += hours;
          group.decided += 1;
          group.hoursMax = Math.max(group.hoursMax, hours);
        }
        groups.set(key, group);
      }
    }
  }
  return new Map([...groups].map(([key, group]) => [key, group.entries]));
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
  const corpus = buildCorpus({ districts: 10, townshipsPerDistrict: 10, unitsPerTownship: 20 }, RESOURCES, 2024, HISTORY);
  await insertCorpus(models, corpus);
  console.error(`loaded ${RESOURCES} resources, ${corpus.feeds.length} feeds, ${corpus.runs.length} runs, ${corpus.cases.length} review cases in ${Math.round(performance.now() - loadStarted)} ms`);

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
  const expiring = () => runBuiltInReport(models, admin, 'POLICIES_EXPIRING', { asOf });
  // POLICIES_EXPIRING (within the default 90 days) per department × theme, as the pipeline's.
  const expiresSoon = (doc: Row): boolean => inForce(doc) && doc.effectiveTo instanceof Date && doc.effectiveTo.getTime() < asOf.getTime() + 90 * 86_400_000;
  const expiringBaseline = () =>
    pullAndGroup(models, { kind: 'POLICY' }, ['department', 'theme', 'validity', 'effectiveFrom', 'effectiveTo'], (doc, _units, counts) =>
      tally(counts, [`${String(doc.department ?? 'null')}|${String(doc.theme ?? 'null')}`], expiresSoon(doc) ? 1 : 0),
    );
  const reviews = () => runBuiltInReport(models, admin, 'REVIEW_BACKLOG', { level: 3 });
  const pivotSpec = { measures: ['RESOURCE_COUNT' as const], dimensions: [{ by: 'DEPARTMENT' as const }, { by: 'TIME' as const, unit: 'MONTH' as const }, { by: 'ORG_UNIT' as const, level: 2 }] };
  const pivot = () => runReport(models, admin, pivotSpec);
  const pivotBaseline = () =>
    pullAndGroup(models, {}, ['department', 'orgUnits', 'createdAt'], (doc, units, counts) =>
      tally(counts, anchors(doc.orgUnits, units, 2).map((unit) => `${doc.department as string}|${bucketStart(doc.createdAt as Date, 'MONTH').toISOString()}|${unit}`)),
    );

  for (const [name, run, baseline, dims] of [
    ['coverage matrix (townships × departments, services)', coverage, coverageBaseline, 2],
    ['feed health (per department)', feedHealth, () => pullFeeds(models, asOf), 1],
    ['policy landscape (issuer × theme, in force)', policies, policiesBaseline, 2],
    ['policies expiring (department × theme, 90 days)', expiring, expiringBaseline, 2],
    ['review backlog (stage × township)', reviews, () => pullCases(models), 2],
    ['department × month × district pivot', pivot, pivotBaseline, 3],
  ] as const) {
    const table = await run();
    const expected = await baseline();
    if (!sameCounts(tableCounts(table, dims), expected)) throw new Error(`${name}: pipeline and baseline disagree`);
    const [pipeline, pulled] = await medians(run, baseline, store.pid);
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
  const volumes = `${RESOURCES.toLocaleString('en-US')} resources, 2,111 org units, ${corpus.feeds.length} feeds, ${corpus.runs.length.toLocaleString('en-US')} runs, ${corpus.cases.length.toLocaleString('en-US')} review cases`;
  console.log(`\n${volumes}, ${process.env.MONGODB_URI ? 'MongoDB' : 'embedded store'}; median of ${RUNS} runs; CPU = this process + the server's\n`);
  printTable(results);
} finally {
  await connection.close();
  await store.stop();
}
