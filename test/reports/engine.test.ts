import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Types, type Connection } from 'mongoose';
import { connectStore, createModels, ensureIndexes, type Models, type OrgUnitDoc } from '../../src/db/index.js';
import { InvalidInputError } from '../../src/domain/errors.js';
import { ensureOrgAnchors, orgAnchorsOf } from '../../src/domain/org/index.js';
import { ensureReviewCaseUnits } from '../../src/domain/review/index.js';
import { bucketLabel, bucketStart, builtInSpec, compileReport, parseReportSpec, runBuiltInReport, runReport, type Dimension, type Measure, type ReportTable, type TimeUnit } from '../../src/domain/reports/index.js';
import type { UserViewer } from '../../src/domain/visibility/index.js';
import { uniqueDbName, uriForDb } from '../support/mongo.js';
import { buildCorpus, DEPARTMENTS, insertCorpus, type Corpus } from './corpus.js';

/**
 * Every measure and dimension against totals computed here by a plain scan of the corpus:
 * they must agree exactly (counts) or to the pipeline's rounding (hours, rates).
 */

type Doc = Record<string, any>;
const AS_OF = new Date('2024-03-10T00:00:00Z');
const EXPIRING_DAYS = 90;

let connection: Connection;
let models: Models;
let corpus: Corpus;
let unitsById: Map<string, OrgUnitDoc>;

const admin: UserViewer = { kind: 'user', userId: new Types.ObjectId(), username: 'admin', grants: [{ role: 'PLATFORM_ADMIN', orgUnit: null, department: null, stages: [] }] };
const cityAnalyst: UserViewer = { kind: 'user', userId: new Types.ObjectId(), username: 'analyst', grants: [{ role: 'ANALYST', orgUnit: null, department: null, stages: [] }] };

beforeAll(async () => {
  connection = await connectStore(uriForDb(uniqueDbName('reports_engine')));
  models = createModels(connection);
  await ensureIndexes(models);
  corpus = buildCorpus({ districts: 3, townshipsPerDistrict: 3, unitsPerTownship: 4 }, 1500, 7);
  await insertCorpus(models, corpus);
  unitsById = new Map(corpus.units.map((unit) => [unit._id.toHexString(), unit]));
});

afterAll(async () => {
  await connection.close();
});

const hex = (id: unknown): string => (id as Types.ObjectId).toHexString();

// ---- the independent scan -------------------------------------------------------------------

/** The roll-up of a document to `level`; a scoped viewer's only counts units inside `within`. */
function anchorsAt(doc: Doc, field: 'orgUnits' | 'orgPaths', level: number, within?: Types.ObjectId): (string | null)[] {
  const anchors = new Set<string>();
  for (const id of doc[field] as Types.ObjectId[]) {
    const unit = unitsById.get(hex(id))!;
    if (within && !unit._id.equals(within) && !unit.ancestors.some((a) => a.equals(within))) continue;
    if (unit.level === level) anchors.add(hex(unit._id));
    else if (unit.level > level) anchors.add(hex(unit.ancestors[level - 1]));
  }
  return anchors.size === 0 ? [null] : [...anchors];
}

const listOrNull = (values: unknown[] | undefined): (string | null)[] => (values && values.length > 0 ? [...new Set(values.map(String))] : [null]);
const scalar = (value: unknown): (string | null)[] => [value === undefined || value === null ? null : String(value)];
const TIME_FIELD: Record<string, string> = { CREATED_AT: 'createdAt', UPDATED_AT: 'updatedAt', PUBLISHED_AT: 'publishedAt', STARTS_AT: 'startsAt' };

function resourceKeys(doc: Doc, dim: Dimension, within?: Types.ObjectId): (string | null)[] {
  switch (dim.by) {
    case 'DEPARTMENT': return scalar(doc.department);
    case 'KIND': return scalar(doc.kind);
    case 'THEME': return scalar(doc.theme);
    case 'VALIDITY': return scalar(doc.validity);
    case 'STATUS': return scalar(doc.status);
    case 'CATEGORY': return listOrNull(doc.categories);
    case 'ISSUER': return listOrNull(doc.issuers);
    case 'AUDIENCE': return listOrNull(doc.audience);
    case 'FEED': return listOrNull((doc.provenance as Doc[]).map((p) => hex(p.feedId)));
    case 'ORG_UNIT': return anchorsAt(doc, 'orgUnits', dim.level!, within);
    case 'TIME': {
      const date = doc[TIME_FIELD[dim.field ?? 'CREATED_AT']!] as Date | undefined;
      return [date ? bucketStart(date, dim.unit!).toISOString() : null];
    }
    default: throw new Error(dim.by);
  }
}

const inForce = (doc: Doc): boolean =>
  doc.kind === 'POLICY' && doc.validity === 'VALID' && (!doc.effectiveFrom || doc.effectiveFrom <= AS_OF) && (!doc.effectiveTo || doc.effectiveTo > AS_OF);

function resourceMeasures(docs: Doc[]): Record<string, number> {
  const units = new Set(docs.flatMap((doc) => (doc.orgUnits as Types.ObjectId[]).map(hex)));
  const expiringBefore = AS_OF.getTime() + EXPIRING_DAYS * 86_400_000;
  return {
    RESOURCE_COUNT: docs.length,
    SERVICE_COUNT: docs.filter((doc) => doc.kind === 'SERVICE').length,
    POLICY_COUNT: docs.filter((doc) => doc.kind === 'POLICY').length,
    EVENT_COUNT: docs.filter((doc) => doc.kind === 'EVENT').length,
    ORG_UNITS_COVERED: units.size,
    POLICIES_IN_FORCE: docs.filter(inForce).length,
    POLICIES_EXPIRING: docs.filter((doc) => inForce(doc) && doc.effectiveTo && doc.effectiveTo.getTime() < expiringBefore).length,
  };
}

function cartesian(lists: (string | null)[][]): (string | null)[][] {
  return lists.reduce<(string | null)[][]>((acc, list) => acc.flatMap((prefix) => list.map((key) => [...prefix, key])), [[]]);
}

/** Groups by scanning: each document lands in every combination of its keys. */
function scanGroups(docs: Doc[], dims: Dimension[], keysOf: (doc: Doc, dim: Dimension) => (string | null)[]): Map<string, Doc[]> {
  const groups = new Map<string, Doc[]>();
  for (const doc of docs) {
    for (const combo of cartesian(dims.map((dim) => keysOf(doc, dim)))) {
      const key = combo.join('|');
      groups.set(key, [...(groups.get(key) ?? []), doc]);
    }
  }
  return groups;
}

function tableByKey(table: ReportTable): Map<string, Record<string, unknown>> {
  const measureColumns = table.columns.map((column, index) => ({ column, index })).filter(({ column }) => column.role === 'MEASURE');
  return new Map(
    table.rows.map((row) => [row.keys.join('|'), Object.fromEntries(measureColumns.map(({ column, index }) => [column.key, row.cells[index]]))]),
  );
}

function expectClose(actual: unknown, expected: number | null, digits: number, label: string): void {
  if (expected === null) return expect(actual, label).toBeNull();
  expect(typeof actual, label).toBe('number');
  // One unit in the last place: MongoDB rounds half to even.
  expect(Math.abs((actual as number) - expected), label).toBeLessThanOrEqual(10 ** -digits + 1e-9);
}

function stageEntries(cases: Doc[]): Doc[] {
  return cases.flatMap((item) => (item.stageLog as Doc[]).map((entry) => ({ ...item, entry })));
}

const RESOURCE_MEASURES: Measure[] = ['RESOURCE_COUNT', 'SERVICE_COUNT', 'POLICY_COUNT', 'EVENT_COUNT', 'ORG_UNITS_COVERED', 'POLICIES_IN_FORCE', 'POLICIES_EXPIRING'];

async function checkResourceReport(dims: Dimension[], docs = corpus.resources as Doc[], viewer: UserViewer = admin, filter?: Record<string, unknown>): Promise<ReportTable> {
  const table = await runReport(models, viewer, { measures: RESOURCE_MEASURES, dimensions: dims, asOf: AS_OF, expiringWithinDays: EXPIRING_DAYS, filter });
  const within = viewer.grants[0]?.orgUnit?.id;
  const expected = scanGroups(docs, dims, (doc, dim) => resourceKeys(doc, dim, within));
  const actual = tableByKey(table);
  expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
  for (const [key, group] of expected) expect(actual.get(key), key).toEqual(resourceMeasures(group));
  expect(Object.fromEntries(RESOURCE_MEASURES.map((m, i) => [m, table.totals[i]]))).toEqual(resourceMeasures(docs));
  return table;
}

describe('stored roll-up anchors', () => {
  it('are back-filled from the units of resources and cases written without them, once', async () => {
    const stripped = async (collection: typeof models.Resource.collection | typeof models.ReviewCase.collection) => {
      const ids = (await collection.find({}, { projection: { _id: 1 } }).toArray()).filter((_, index) => index % 3 === 0).map((doc) => doc._id);
      await collection.updateMany({ _id: { $in: ids } }, { $unset: { orgAnchors: '' } });
      return ids;
    };
    const resources = await stripped(models.Resource.collection);
    const cases = await stripped(models.ReviewCase.collection);
    expect(await ensureOrgAnchors(models)).toEqual({ resources: resources.length, cases: cases.length });
    expect(await ensureOrgAnchors(models)).toEqual({ resources: 0, cases: 0 });
    for (const doc of await models.Resource.collection.find({ _id: { $in: resources } }).toArray()) {
      const expected = orgAnchorsOf((doc.orgUnits as Types.ObjectId[]).map((id) => unitsById.get(hex(id))!));
      expect(doc.orgAnchors).toEqual(expected);
      expect(expected.l1.length).toBeGreaterThan(0);
    }
    // Every later test rolls these up beside the others, against a scan of the org tree.
  });

  it('are read by unscoped reports instead of joining the org tree; scoped reports join it', async () => {
    const district = corpus.units.find((unit) => unit.level === 2)!;
    const scoped: UserViewer = { kind: 'user', userId: new Types.ObjectId(), username: 'district', grants: [{ role: 'ANALYST', orgUnit: { id: district._id, ancestors: district.ancestors }, department: null, stages: [] }] };
    for (const name of ['COVERAGE_MATRIX', 'REVIEW_BACKLOG'] as const) {
      const spec = parseReportSpec(builtInSpec(name, { level: 3 }));
      expect(JSON.stringify((await compileReport(models, admin, spec)).pipeline)).not.toContain('$lookup');
      expect(JSON.stringify((await compileReport(models, scoped, spec)).pipeline)).toContain('"$lookup":{"from":"orgUnits"');
    }
  });
});

describe('resource measures × each dimension', () => {
  const single: Dimension[] = [
    { by: 'DEPARTMENT' }, { by: 'KIND' }, { by: 'CATEGORY' }, { by: 'THEME' }, { by: 'ISSUER' }, { by: 'AUDIENCE' },
    { by: 'VALIDITY' }, { by: 'STATUS' }, { by: 'FEED' },
  ];
  for (const dim of single) it(`${dim.by}`, async () => { await checkResourceReport([dim]); });

  for (const level of [1, 2, 3, 4]) {
    it(`ORG_UNIT rolled up to level ${level}, names resolved`, async () => {
      const table = await checkResourceReport([{ by: 'ORG_UNIT', level }]);
      for (const row of table.rows) {
        const key = row.keys[0];
        if (key === null || key === undefined) expect(row.cells[0]).toContain('above level');
        else expect(row.cells[0]).toBe(unitsById.get(key)!.name);
      }
    });
  }

  for (const unit of ['DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'] as TimeUnit[]) {
    it(`TIME by ${unit} in Asia/Shanghai`, async () => { await checkResourceReport([{ by: 'TIME', unit }]); });
  }
  it('TIME on publishedAt and startsAt (missing dates key null)', async () => {
    await checkResourceReport([{ by: 'TIME', unit: 'MONTH', field: 'PUBLISHED_AT' }]);
    await checkResourceReport([{ by: 'TIME', unit: 'WEEK', field: 'STARTS_AT' }]);
  });

  it('no dimension: one row equal to the totals', async () => {
    const table = await checkResourceReport([]);
    expect(table.rows).toHaveLength(1);
  });

  it('department × month × district pivot and org × category', async () => {
    await checkResourceReport([{ by: 'DEPARTMENT' }, { by: 'TIME', unit: 'MONTH' }, { by: 'ORG_UNIT', level: 2 }]);
    await checkResourceReport([{ by: 'ORG_UNIT', level: 3 }, { by: 'CATEGORY' }]);
  });

  it('the filter is the connections filter', async () => {
    const filter = { kinds: ['POLICY'], departments: ['health', 'justice'] };
    const docs = (corpus.resources as Doc[]).filter((doc) => doc.kind === 'POLICY' && ['health', 'justice'].includes(doc.department));
    await checkResourceReport([{ by: 'THEME' }], docs, admin, filter);
  });
});

describe('Asia/Shanghai buckets across a month boundary', () => {
  it('2024-01-31T16:30Z is February; 15:59:59Z is still January', async () => {
    const table = await runReport(models, admin, { measures: ['RESOURCE_COUNT'], dimensions: [{ by: 'TIME', unit: 'MONTH' }] });
    const byLabel = new Map(table.rows.map((row) => [row.cells[0], row.cells[1]]));
    const count = (label: string) => (corpus.resources as Doc[]).filter((doc) => bucketLabel(bucketStart(doc.createdAt as Date, 'MONTH'), 'MONTH') === label).length;
    expect(bucketLabel(bucketStart(new Date('2024-01-31T16:30:00Z'), 'MONTH'), 'MONTH')).toBe('2024-02');
    expect(bucketLabel(bucketStart(new Date('2024-01-31T15:59:59Z'), 'MONTH'), 'MONTH')).toBe('2024-01');
    expect(byLabel.get('2024-02')).toBe(count('2024-02'));
    expect(byLabel.get('2024-01')).toBe(count('2024-01'));
    expect(bucketLabel(bucketStart(new Date('2024-03-31T16:30:00Z'), 'QUARTER'), 'QUARTER')).toBe('2024-Q2');
    expect(bucketLabel(bucketStart(new Date('2024-02-04T16:30:00Z'), 'WEEK'), 'WEEK')).toBe('2024-02-05');
  });
});

describe('feeds and review sources', () => {
  function feedExpect(feeds: Doc[]): Record<'FEED_COUNT' | 'FEED_LAG_HOURS' | 'FAILURE_STREAK' | 'SYNC_SUCCESS_RATE' | 'QUARANTINE_RATE', number | null> {
    const runs = (corpus.runs as Doc[]).filter((run) => feeds.some((feed) => hex(feed._id) === hex(run.feed)));
    const ok = runs.filter((run) => run.status === 'SUCCEEDED').length;
    const fetched = runs.reduce((sum, run) => sum + run.stats.fetched, 0);
    const quarantined = runs.reduce((sum, run) => sum + run.stats.quarantined, 0);
    return {
      FEED_COUNT: feeds.length,
      FEED_LAG_HOURS: Math.max(...feeds.map((feed) => (AS_OF.getTime() - (feed.lastSuccessAt ?? feed.createdAt).getTime()) / 3_600_000)),
      FAILURE_STREAK: Math.max(...feeds.map((feed) => feed.failureStreak as number)),
      SYNC_SUCCESS_RATE: runs.length ? ok / runs.length : null,
      QUARANTINE_RATE: fetched ? quarantined / fetched : null,
    };
  }

  function checkFeeds(table: ReportTable, groups: Map<string, Doc[]>): void {
    const actual = tableByKey(table);
    expect([...actual.keys()].sort()).toEqual([...groups.keys()].sort());
    for (const [key, feeds] of groups) {
      const want = feedExpect(feeds);
      const got = actual.get(key)!;
      expect(got.FEED_COUNT).toBe(want.FEED_COUNT);
      expect(got.FAILURE_STREAK).toBe(want.FAILURE_STREAK);
      expectClose(got.FEED_LAG_HOURS, want.FEED_LAG_HOURS, 2, `${key} lag`);
      expectClose(got.SYNC_SUCCESS_RATE, want.SYNC_SUCCESS_RATE, 4, `${key} success`);
      expectClose(got.QUARANTINE_RATE, want.QUARANTINE_RATE, 4, `${key} quarantine`);
    }
  }

  it('feed health per department (built-in) and per feed', async () => {
    const feeds = corpus.feeds as Doc[];
    checkFeeds(await runBuiltInReport(models, admin, 'FEED_HEALTH', { asOf: AS_OF }), scanGroups(feeds, [{ by: 'DEPARTMENT' }], (feed) => [feed.department]));
    const perFeed = await runReport(models, admin, { measures: ['FEED_COUNT', 'FEED_LAG_HOURS', 'FAILURE_STREAK', 'SYNC_SUCCESS_RATE', 'QUARANTINE_RATE'], dimensions: [{ by: 'FEED' }, { by: 'KIND' }], asOf: AS_OF });
    checkFeeds(perFeed, scanGroups(feeds, [{ by: 'FEED' }, { by: 'KIND' }], (feed, dim) => [dim.by === 'FEED' ? hex(feed._id) : feed.targetKind]));
    expect(perFeed.rows.map((row) => row.cells[0]).sort()).toEqual(feeds.map((feed) => feed.name).sort());
  });

  it('review cases opened before they recorded their units get their org paths as units, once', async () => {
    const cases = corpus.cases as Doc[];
    const old = cases.filter((_, index) => index % 3 === 0).map((doc) => doc._id as Types.ObjectId);
    await models.ReviewCase.collection.updateMany({ _id: { $in: old } }, { $unset: { orgUnits: '' } });
    expect(await ensureReviewCaseUnits(models)).toBe(old.length);
    expect(await ensureReviewCaseUnits(models)).toBe(0);
    const filled = await models.ReviewCase.collection.find({ _id: { $in: old } }, { projection: { orgUnits: 1, orgPaths: 1 } }).toArray();
    expect(filled.every((doc) => doc.orgUnits.length > 0 && doc.orgUnits.every((id: Types.ObjectId, i: number) => id.equals(doc.orgPaths[i])))).toBe(true);
    // The next test rolls these up (from their paths) beside the others (from their units), against a scan of the paths.
  });

  it('review backlog and time per stage, by stage and every org level', async () => {
    for (const level of [1, 2, 3, 4]) {
      const table = await runBuiltInReport(models, admin, 'REVIEW_BACKLOG', { level });
      const groups = scanGroups(stageEntries(corpus.cases as Doc[]), [{ by: 'REVIEW_STAGE' }, { by: 'ORG_UNIT', level }], (entry, dim) =>
        dim.by === 'REVIEW_STAGE' ? [entry.entry.stage] : anchorsAt(entry, 'orgPaths', level),
      );
      const actual = tableByKey(table);
      expect([...actual.keys()].sort()).toEqual([...groups.keys()].sort());
      for (const [key, entries] of groups) {
        const hours = entries.filter((e) => e.entry.decidedAt).map((e) => (e.entry.decidedAt.getTime() - e.entry.enteredAt.getTime()) / 3_600_000);
        const got = actual.get(key)!;
        expect(got.STAGE_ENTRIES).toBe(entries.length);
        expect(got.BACKLOG).toBe(entries.filter((e) => !e.entry.decidedAt && e.state === 'IN_REVIEW').length);
        expectClose(got.STAGE_HOURS_AVG, hours.length ? hours.reduce((a, b) => a + b, 0) / hours.length : null, 2, `${key} avg`);
        expectClose(got.STAGE_HOURS_MAX, hours.length ? Math.max(...hours) : null, 2, `${key} max`);
      }
    }
  });

  it('review stage entries by month of entry', async () => {
    const table = await runReport(models, admin, { measures: ['STAGE_ENTRIES'], dimensions: [{ by: 'TIME', unit: 'DAY' }, { by: 'DEPARTMENT' }] });
    const groups = scanGroups(stageEntries(corpus.cases as Doc[]), [{ by: 'TIME', unit: 'DAY' }, { by: 'DEPARTMENT' }], (entry, dim) =>
      dim.by === 'TIME' ? [bucketStart(entry.entry.enteredAt, 'DAY').toISOString()] : [entry.department],
    );
    const actual = tableByKey(table);
    expect(new Map([...actual].map(([key, value]) => [key, value.STAGE_ENTRIES]))).toEqual(new Map([...groups].map(([key, docs]) => [key, docs.length])));
  });
});

describe('coverage matrix', () => {
  it('lists every unit × department at the level, the empty ones as gaps', async () => {
    const table = await runBuiltInReport(models, admin, 'COVERAGE_MATRIX', { level: 4, filter: { categories: ['法律援助'] } });
    const townships = corpus.units.filter((unit) => unit.level === 4);
    const services = (corpus.resources as Doc[]).filter((doc) => doc.kind === 'SERVICE' && (doc.categories as string[]).includes('法律援助'));
    const counts = scanGroups(services, [{ by: 'ORG_UNIT', level: 4 }, { by: 'DEPARTMENT' }], resourceKeys);
    const cells = tableByKey(table);
    for (const township of townships) {
      for (const department of DEPARTMENTS) {
        const key = `${hex(township._id)}|${department}`;
        const expected = counts.get(key)?.length ?? 0;
        expect(cells.get(key)?.RESOURCE_COUNT, key).toBe(expected);
        expect(table.rows.find((row) => row.keys.join('|') === key)!.gap).toBe(expected === 0);
      }
    }
    expect(table.rows.some((row) => row.gap)).toBe(true);
    // Names: the units' and departments' own, gap rows or not (read with the gap axes).
    for (const row of table.rows) {
      const unit = row.keys[0];
      expect(row.cells[0]).toBe(typeof unit === 'string' ? unitsById.get(unit)!.name : '（上级）/ (above level 4)');
      expect(row.cells[1]).toBe(`${row.keys[1]}部门`);
    }
  });

  it('names units outside the viewer\'s gap axes too (a township analyst rolled up to the district)', async () => {
    const township = corpus.units.find((unit) => unit.level === 3)!;
    const analyst: UserViewer = {
      kind: 'user', userId: new Types.ObjectId(), username: 'township',
      grants: [{ role: 'ANALYST', orgUnit: { id: township._id, ancestors: township.ancestors }, department: null, stages: [] }],
    };
    const table = await runBuiltInReport(models, analyst, 'COVERAGE_MATRIX', { level: 2 });
    const district = unitsById.get(hex(township.ancestors[1]))!;
    const rows = table.rows.filter((row) => row.keys[0] === hex(district._id));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.cells[0]).toBe(district.name);
  });
});

describe('scope', () => {
  it('a district analyst sees only that district: resources, feeds, review cases', async () => {
    const district = corpus.units.find((unit) => unit.level === 2)!;
    const analyst: UserViewer = {
      kind: 'user', userId: new Types.ObjectId(), username: 'district',
      grants: [{ role: 'ANALYST', orgUnit: { id: district._id, ancestors: district.ancestors }, department: null, stages: [] }],
    };
    const inDistrict = (doc: Doc) => (doc.orgPaths as Types.ObjectId[]).some((id) => id.equals(district._id));
    const docs = (corpus.resources as Doc[]).filter((doc) => doc.status === 'PUBLISHED' && inDistrict(doc));
    await checkResourceReport([{ by: 'ORG_UNIT', level: 3 }, { by: 'KIND' }], docs, analyst);
    await checkResourceReport([{ by: 'ORG_UNIT', level: 2 }], docs, analyst);

    const codes = new Set(corpus.units.filter((unit) => unit._id.equals(district._id) || unit.ancestors.some((id) => id.equals(district._id))).map((unit) => unit.code));
    const feeds = await runBuiltInReport(models, analyst, 'FEED_HEALTH', { asOf: AS_OF });
    const visibleFeeds = (corpus.feeds as Doc[]).filter((feed) => (feed.orgScope as string[]).some((code) => codes.has(code)));
    expect(feeds.totals[0]).toBe(visibleFeeds.length);
    expect(visibleFeeds.length).toBeLessThan(corpus.feeds.length);

    const review = await runReport(models, analyst, { measures: ['STAGE_ENTRIES'], dimensions: [] });
    expect(review.totals[0]).toBe(stageEntries((corpus.cases as Doc[]).filter(inDistrict)).length);

    const coverage = await runBuiltInReport(models, analyst, 'COVERAGE_MATRIX', { level: 3 });
    // Resources attached to the district itself roll up to no township: the null row.
    const townships = [...new Set(coverage.rows.map((row) => row.keys[0]))].filter((id): id is string => typeof id === 'string');
    expect(townships.length).toBeGreaterThan(0);
    expect(townships.every((id) => unitsById.get(id)!.ancestors.some((a) => a.equals(district._id)))).toBe(true);
  });

  it('an unscoped analyst sees every published resource; anonymous and members are refused', async () => {
    const table = await runReport(models, cityAnalyst, { measures: ['RESOURCE_COUNT'], dimensions: [] });
    expect(table.totals[0]).toBe((corpus.resources as Doc[]).filter((doc) => doc.status === 'PUBLISHED').length);
    await expect(runReport(models, { kind: 'anonymous' }, { measures: ['RESOURCE_COUNT'], dimensions: [] })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const member: UserViewer = { ...cityAnalyst, grants: [{ role: 'MEMBER', orgUnit: { id: corpus.units[0]!._id, ancestors: [] }, department: null, stages: [] }] };
    await expect(runReport(models, member, { measures: ['RESOURCE_COUNT'], dimensions: [] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('bad input', () => {
  it('is refused with a clear error', async () => {
    const bad = [
      { measures: [], dimensions: [] },
      { measures: ['RESOURCE_COUNT', 'FEED_COUNT'], dimensions: [] },
      { measures: ['RESOURCE_COUNT'], dimensions: [{ by: 'ORG_UNIT' }] },
      { measures: ['RESOURCE_COUNT'], dimensions: [{ by: 'TIME', unit: 'DECADE' }] },
      { measures: ['FEED_COUNT'], dimensions: [{ by: 'CATEGORY' }] },
      { measures: ['FEED_COUNT'], dimensions: [], filter: { kinds: ['SERVICE'] } },
      { measures: ['RESOURCE_COUNT'], dimensions: [], filter: { orgUnit: { code: 'nope' } } },
    ];
    for (const input of bad) {
      await expect(runReport(models, admin, input as never), JSON.stringify(input)).rejects.toBeInstanceOf(InvalidInputError);
    }
  });
});
