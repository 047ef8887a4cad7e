import { Types } from 'mongoose';
import type { Models, OrgUnitDoc } from '../../src/db/index.js';
import { placementOf } from '../../src/domain/org/index.js';

/**
 * A deterministic report corpus: an org tree of the given shape, departments, resources spread
 * over it (including dates around month ends in Asia/Shanghai), feeds with runs, and review
 * cases with stage timings. Used by the report tests (against straightforward scans) and by
 * bench/reports.bench.ts.
 */

export interface TreeShape {
  districts: number;
  townshipsPerDistrict: number;
  unitsPerTownship: number;
}

export interface Corpus {
  units: OrgUnitDoc[];
  resources: Record<string, unknown>[];
  feeds: Record<string, unknown>[];
  runs: Record<string, unknown>[];
  cases: Record<string, unknown>[];
}

export const DEPARTMENTS = ['health', 'education', 'culture', 'justice', 'hrss'] as const;
export const CATEGORIES = ['法律援助', '医疗卫生', '就业创业', '文化体育', '教育培训', '社会保障'];
export const AUDIENCES = ['老年人', '儿童', '残疾人', '退役军人', '=SUM(A1)'];
export const THEMES = ['卫生健康', '教育', '文化', '司法', '劳动就业'];
export const ISSUERS = ['湖州市人民政府', '湖州市卫生健康委员会', '湖州市教育局', '+cmd|calc'];
const STATUSES = ['PUBLISHED', 'PUBLISHED', 'PUBLISHED', 'PENDING', 'REJECTED'];
const CONFIDENTIALITY = ['PUBLIC', 'PUBLIC', 'INTERNAL', 'RESTRICTED'];
const VALIDITY = ['VALID', 'VALID', 'VALID', 'EXPIRED', 'REPEALED'];
/** Instants right around month ends in Shanghai (16:00Z is midnight there). */
const EDGE_TIMES = ['2024-01-31T16:30:00Z', '2024-01-31T15:59:59Z', '2024-02-29T16:00:00Z', '2024-03-31T15:30:00Z', '2023-12-31T16:00:00Z'];

/** mulberry32: a small seeded generator, so every run builds the same corpus. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function buildTree(shape: TreeShape): OrgUnitDoc[] {
  const now = new Date('2024-01-01T00:00:00Z');
  const unit = (code: string, name: string, level: 1 | 2 | 3 | 4, kind: OrgUnitDoc['kind'], parent: OrgUnitDoc | null, sortOrder: number): OrgUnitDoc => ({
    _id: new Types.ObjectId(),
    code,
    name,
    level,
    kind,
    parentId: parent?._id ?? null,
    ancestors: parent ? [...parent.ancestors, parent._id] : [],
    sortOrder,
    createdAt: now,
    updatedAt: now,
  });
  const city = unit('330500', '湖州市', 1, 'CITY', null, 0);
  const units = [city];
  for (let d = 0; d < shape.districts; d += 1) {
    const district = unit(`3305${String(d + 1).padStart(2, '0')}`, `第${d + 1}区`, 2, 'DISTRICT', city, d);
    units.push(district);
    for (let t = 0; t < shape.townshipsPerDistrict; t += 1) {
      const township = unit(`${district.code}${String(t + 1).padStart(3, '0')}`, `${district.name}第${t + 1}镇`, 3, 'TOWNSHIP', district, t);
      units.push(township);
      for (let v = 0; v < shape.unitsPerTownship; v += 1) {
        units.push(unit(`${township.code}${String(v + 1).padStart(3, '0')}`, `${township.name}第${v + 1}村`, 4, 'VILLAGE', township, v));
      }
    }
  }
  return units;
}

/**
 * How much feed and review history the corpus carries. The defaults keep the tests' corpus
 * small; bench/reports.bench.ts asks for what a hub of its size would hold.
 */
export interface HistoryVolumes {
  /** Feeds in all, departments in turn (default one per department). */
  feeds: number;
  /** Days of scheduled runs kept per feed, up to the report date (default 1). */
  runDays: number;
  /** Share of resources published through review, each with a NEW case (default 0.2). */
  reviewedShare: number;
  /** Share of reviewed resources with a later REVISION case as well (default 0.3). */
  revisedShare: number;
}

const DEFAULT_VOLUMES: HistoryVolumes = { feeds: DEPARTMENTS.length, runDays: 1, reviewedShare: 0.2, revisedShare: 0.3 };
/** Feeds run hourly, every 6 hours or daily. */
const RUN_INTERVALS_HOURS = [1, 6, 24, 24];
const RUNS_END = Date.parse('2024-03-01T00:00:00Z');
const HOUR_MS = 3_600_000;

export function buildCorpus(shape: TreeShape, resourceCount: number, seed = 42, volumes: Partial<HistoryVolumes> = {}): Corpus {
  const { feeds: feedCount, runDays, reviewedShare, revisedShare } = { ...DEFAULT_VOLUMES, ...volumes };
  const random = seeded(seed);
  const pick = <T,>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const some = <T,>(values: readonly T[], max: number): T[] => [...new Set(Array.from({ length: Math.floor(random() * (max + 1)) }, () => pick(values)))];
  const units = buildTree(shape);
  const byLevel = [1, 2, 3, 4].map((level) => units.filter((unit) => unit.level === level));
  const runs: Record<string, unknown>[] = [];
  const feeds = Array.from({ length: feedCount }, (_, index) => {
    const department = DEPARTMENTS[index % DEPARTMENTS.length]!;
    const _id = new Types.ObjectId();
    const intervalHours = pick(RUN_INTERVALS_HOURS);
    // A feed's records: an even share of the resources, fetched in full by every run.
    const records = Math.max(1, Math.round(resourceCount / feedCount));
    // The last feed has failed since it was registered (it never succeeded: its lag counts from creation).
    const broken = index === feedCount - 1;
    let lastSuccessAt: Date | null = null;
    let failureStreak = 0;
    for (let start = RUNS_END - runDays * 24 * HOUR_MS; start < RUNS_END; start += intervalHours * HOUR_MS) {
      const status = broken ? 'FAILED' : pick(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'PARTIAL', 'FAILED']);
      const fetched = status === 'FAILED' ? 0 : records;
      const finishedAt = new Date(start + 60_000);
      runs.push({
        _id: new Types.ObjectId(),
        feed: _id,
        trigger: 'SCHEDULE',
        attempt: 1,
        instance: 'test',
        startedAt: new Date(start),
        finishedAt,
        status,
        stats: { fetched, created: 0, updated: 0, unchanged: fetched, withdrawn: 0, quarantined: Math.floor(random() * random() * fetched * 0.05) },
        error: status === 'FAILED' ? 'HTTP 503' : null,
        complete: true,
      });
      failureStreak = status === 'FAILED' ? failureStreak + 1 : 0;
      if (status === 'SUCCEEDED') lastSuccessAt = finishedAt;
    }
    return {
      _id,
      name: `${department}-feed-${index}`,
      department,
      connector: 'csv',
      config: {},
      mapping: null,
      targetKind: pick(['SERVICE', 'POLICY', 'EVENT']),
      schedule: { cron: `0 */${intervalHours} * * *`, timezone: 'Asia/Shanghai' },
      syncMode: 'FULL',
      orgScope: [byLevel[1]![index % byLevel[1]!.length]!.code],
      reviewPolicy: 'AUTO_PUBLISH',
      status: 'ACTIVE',
      lastSuccessAt,
      failureStreak,
      createdAt: new Date('2024-01-01T00:00:00Z'),
      updatedAt: new Date('2024-01-01T00:00:00Z'),
    };
  });
  const span = Date.parse('2024-04-01T00:00:00Z') - Date.parse('2023-12-01T00:00:00Z');
  const resources = Array.from({ length: resourceCount }, (_, index) => {
    const kind = pick(['SERVICE', 'SERVICE', 'POLICY', 'EVENT'] as const);
    const levelRoll = random();
    const level = levelRoll < 0.03 ? 0 : levelRoll < 0.1 ? 1 : levelRoll < 0.25 ? 2 : 3;
    const attached = [pick(byLevel[level]!)];
    if (random() < 0.1) attached.push(pick(byLevel[3]!));
    const createdAt = index % 50 === 0 ? new Date(EDGE_TIMES[(index / 50) % EDGE_TIMES.length]!) : new Date(Date.parse('2023-12-01T00:00:00Z') + Math.floor(random() * span));
    const feed = random() < 0.8 ? pick(feeds) : null;
    const doc: Record<string, unknown> = {
      _id: new Types.ObjectId(),
      kind,
      title: `资源${index}`,
      department: pick(DEPARTMENTS),
      ...placementOf(attached),
      categories: some(CATEGORIES, 2),
      tags: [],
      audience: some(AUDIENCES, 2),
      confidentiality: pick(CONFIDENTIALITY),
      status: pick(STATUSES),
      provenance: feed ? [{ feedId: feed._id, sourceId: `s${index}`, fetchedAt: createdAt, contentHash: 'x' }] : [],
      searchTerms: [],
      version: 1,
      createdAt,
      updatedAt: createdAt,
    };
    if (kind === 'POLICY') {
      const from = random() < 0.2 ? null : new Date(Date.parse('2023-06-01T00:00:00Z') + Math.floor(random() * span * 2));
      const to = random() < 0.4 ? null : new Date(Date.parse('2024-01-01T00:00:00Z') + Math.floor(random() * span * 3));
      Object.assign(doc, { issuers: some(ISSUERS, 2), validity: pick(VALIDITY), theme: random() < 0.1 ? undefined : pick(THEMES), effectiveFrom: from, effectiveTo: to, publishedAt: createdAt });
    }
    if (kind === 'EVENT') Object.assign(doc, { startsAt: new Date(createdAt.getTime() + 7 * 86_400_000), allDay: false });
    return doc;
  });
  const reviewed = resources.filter(() => random() < reviewedShare);
  const cases = reviewed.flatMap((resource, index) => {
    const created = (resource.createdAt as Date).getTime();
    const revisedAt = random() < revisedShare ? created + Math.floor(random() * 30 * 24) * HOUR_MS : null;
    // Only the latest case of a resource can still be open (one open case per resource).
    const submissions = revisedAt === null ? [{ kind: 'NEW', at: created, last: true }] : [{ kind: 'NEW', at: created, last: false }, { kind: 'REVISION', at: revisedAt, last: true }];
    return submissions.map(({ kind, at, last }, n) => {
      const stages = ['初审', '复审'];
      const decidedFirst = !last || random() < 0.9 ? new Date(at + Math.floor(random() * 48) * HOUR_MS) : null;
      const stageLog = [{ stage: stages[0], enteredAt: new Date(at), decidedAt: decidedFirst }];
      if (decidedFirst && random() < 0.7) {
        stageLog.push({ stage: stages[1], enteredAt: decidedFirst, decidedAt: !last || random() < 0.9 ? new Date(decidedFirst.getTime() + Math.floor(random() * 24) * HOUR_MS) : null });
      }
      const open = stageLog.some((entry) => entry.decidedAt === null);
      return {
        _id: new Types.ObjectId(),
        resource: resource._id,
        kind,
        state: open ? (random() < 0.8 ? 'IN_REVIEW' : 'SUPERSEDED') : 'APPROVED',
        openKey: open ? String(resource._id) : `closed:${index}:${n}`,
        stages,
        stageIndex: stageLog.length - 1,
        stage: open ? stageLog.at(-1)!.stage : null,
        stageLog,
        submitter: { userId: null, name: 'tester', feedId: null },
        submittedAt: new Date(at),
        proposed: null,
        contentHash: null,
        baseVersion: 1,
        department: resource.department,
        orgPaths: resource.orgPaths,
        orgUnits: resource.orgUnits,
        orgAnchors: resource.orgAnchors,
        decisions: [],
        rejectionReason: null,
        closedAt: open ? null : stageLog.at(-1)!.decidedAt,
      };
    });
  });
  return { units, resources, feeds, runs, cases };
}

/** Inserts the corpus with the driver (batched), as the store's writers would leave it. */
export async function insertCorpus(models: Models, corpus: Corpus): Promise<void> {
  const db = models.Resource.db;
  await models.OrgUnit.collection.insertMany(corpus.units);
  const now = new Date('2024-01-01T00:00:00Z');
  await models.Department.collection.insertMany(DEPARTMENTS.map((code, index) => ({ code, name: { zh: `${code}部门`, en: code }, contact: {}, sortOrder: index, createdAt: now, updatedAt: now })));
  for (let i = 0; i < corpus.resources.length; i += 5000) await models.Resource.collection.insertMany(corpus.resources.slice(i, i + 5000));
  await db.collection('feeds').insertMany(corpus.feeds);
  for (let i = 0; i < corpus.runs.length; i += 5000) await db.collection('syncRuns').insertMany(corpus.runs.slice(i, i + 5000));
  for (let i = 0; i < corpus.cases.length; i += 5000) await models.ReviewCase.collection.insertMany(corpus.cases.slice(i, i + 5000));
}
