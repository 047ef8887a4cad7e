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

export function buildCorpus(shape: TreeShape, resourceCount: number, seed = 42): Corpus {
  const random = seeded(seed);
  const pick = <T,>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const some = <T,>(values: readonly T[], max: number): T[] => [...new Set(Array.from({ length: Math.floor(random() * (max + 1)) }, () => pick(values)))];
  const units = buildTree(shape);
  const byLevel = [1, 2, 3, 4].map((level) => units.filter((unit) => unit.level === level));
  const feeds = DEPARTMENTS.map((department, index) => ({
    _id: new Types.ObjectId(),
    name: `${department}-feed`,
    department,
    connector: 'csv',
    config: {},
    mapping: null,
    targetKind: pick(['SERVICE', 'POLICY', 'EVENT']),
    schedule: { cron: null, timezone: 'Asia/Shanghai' },
    syncMode: 'FULL',
    orgScope: [byLevel[1]![index % byLevel[1]!.length]!.code],
    reviewPolicy: 'AUTO_PUBLISH',
    status: 'ACTIVE',
    lastSuccessAt: index === 4 ? null : new Date(Date.UTC(2024, 2, 1, index * 5)),
    failureStreak: index,
    createdAt: new Date('2024-01-01T00:00:00Z'),
    updatedAt: new Date('2024-01-01T00:00:00Z'),
  }));
  const runs = feeds.flatMap((feed) =>
    Array.from({ length: 1 + Math.floor(random() * 5) }, () => {
      const fetched = Math.floor(random() * 50);
      return {
        _id: new Types.ObjectId(),
        feed: feed._id,
        trigger: 'SCHEDULE',
        attempt: 1,
        instance: 'test',
        startedAt: new Date('2024-02-01T00:00:00Z'),
        finishedAt: new Date('2024-02-01T00:01:00Z'),
        status: pick(['SUCCEEDED', 'SUCCEEDED', 'FAILED', 'PARTIAL']),
        stats: { fetched, created: 0, updated: 0, unchanged: 0, withdrawn: 0, quarantined: Math.floor(random() * (fetched / 4)) },
        error: null,
        complete: true,
      };
    }),
  );
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
  const cases = resources.slice(0, Math.min(resources.length, 300)).map((resource, index) => {
    const entered = new Date(Date.parse('2024-02-01T00:00:00Z') + index * 3_600_000);
    const stages = ['初审', '复审'];
    const decidedFirst = random() < 0.8 ? new Date(entered.getTime() + Math.floor(random() * 48) * 3_600_000) : null;
    const stageLog = [{ stage: stages[0], enteredAt: entered, decidedAt: decidedFirst }];
    if (decidedFirst && random() < 0.7) stageLog.push({ stage: stages[1], enteredAt: decidedFirst, decidedAt: random() < 0.6 ? new Date(decidedFirst.getTime() + Math.floor(random() * 24) * 3_600_000) : null });
    const open = stageLog.some((entry) => entry.decidedAt === null);
    return {
      _id: new Types.ObjectId(),
      resource: resource._id,
      kind: 'NEW',
      state: open ? (random() < 0.8 ? 'IN_REVIEW' : 'SUPERSEDED') : 'APPROVED',
      openKey: open ? String(resource._id) : `closed:${index}`,
      stages,
      stageIndex: stageLog.length - 1,
      stage: open ? stageLog.at(-1)!.stage : null,
      stageLog,
      submitter: { userId: null, name: 'tester', feedId: null },
      submittedAt: entered,
      proposed: null,
      contentHash: null,
      baseVersion: 1,
      department: resource.department,
      orgPaths: resource.orgPaths,
      decisions: [],
      rejectionReason: null,
      closedAt: open ? null : stageLog.at(-1)!.decidedAt,
    };
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
  await db.collection('syncRuns').insertMany(corpus.runs);
  if (corpus.cases.length > 0) await models.ReviewCase.collection.insertMany(corpus.cases);
}
