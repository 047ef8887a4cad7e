import type { Document } from 'bson';
import type { Models } from '../../db/index.js';
import { compileResourceFilter } from '../catalog/index.js';
import { InvalidInputError } from '../errors.js';
import { visible, type Viewer } from '../visibility/index.js';
import { reportScope, type ReportScope } from './scope.js';
import { sourceOf, type Dimension, type Measure, type ReportSource, type ReportSpec, type TimeField } from './spec.js';
import { bucketStartExpr } from './time.js';

/** One aggregation pipeline over one collection: the whole report, rows and totals ($facet). */
export interface CompiledReport {
  source: ReportSource;
  collection: string;
  pipeline: Document[];
  measures: Measure[];
  dimensions: Dimension[];
  scope: ReportScope;
}

type Expr = unknown;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** What the source's documents are and how each dimension keys them. */
interface SourcePlan {
  collection: string;
  match: Document;
  /** Stages run once per document before grouping (joins, derived fields). */
  prepare: Document[];
  dimension(dim: Dimension, slot: string): { stages: Document[]; key: Expr };
}

interface MeasurePlan {
  /** $group accumulators, named `<measure>_<part>`. */
  accumulators: Record<string, Document>;
  /** The value from the accumulators. */
  output: Expr;
}

function scalarKey(path: string): { stages: Document[]; key: Expr } {
  return { stages: [], key: { $ifNull: [path, null] } };
}

/** A key from an array field: one group per distinct element; an empty array keys null. */
function arrayKey(arrayExpr: Expr, slot: string): { stages: Document[]; key: Expr } {
  return {
    stages: [{ $addFields: { [slot]: { $setUnion: [{ $ifNull: [arrayExpr, []] }] } } }, { $unwind: { path: `$${slot}`, preserveNullAndEmptyArrays: true } }],
    key: { $ifNull: [`$${slot}`, null] },
  };
}

/**
 * Org roll-up to `level`: each attached unit stands for its ancestor at that level
 * (`ancestors[level-1]`), or for itself when it is at that level. Units above the level have no
 * such ancestor; a document attached only above it keys null ("above this level").
 */
function orgRollup(orgUnitsCollection: string, unitsField: string, level: number, slot: string, scope: ReportScope): { stages: Document[]; key: Expr } {
  const joined = `${slot}_units`;
  // A scoped viewer's roll-up keeps only the units inside their subtrees (a resource may also be attached elsewhere).
  const scopeIds = scope.all ? null : scope.units.map((unit) => unit.id);
  const units = scopeIds
    ? { $filter: { input: `$${joined}`, as: 'u', cond: { $or: [{ $in: ['$$u._id', scopeIds] }, { $gt: [{ $size: { $setIntersection: ['$$u.ancestors', scopeIds] } }, 0] }] } } }
    : `$${joined}`;
  const anchor = {
    $cond: [{ $eq: ['$$u.level', level] }, '$$u._id', { $cond: [{ $gt: ['$$u.level', level] }, { $arrayElemAt: ['$$u.ancestors', level - 1] }, null] }],
  };
  return {
    stages: [
      { $lookup: { from: orgUnitsCollection, localField: unitsField, foreignField: '_id', as: joined } },
      {
        $addFields: {
          [joined]: '$$REMOVE',
          [slot]: { $filter: { input: { $setUnion: [{ $map: { input: units, as: 'u', in: anchor } }] }, as: 'a', cond: { $ne: ['$$a', null] } } },
        },
      },
      { $unwind: { path: `$${slot}`, preserveNullAndEmptyArrays: true } },
    ],
    key: { $ifNull: [`$${slot}`, null] },
  };
}

const TIME_PATHS: Record<TimeField, string> = {
  CREATED_AT: '$createdAt',
  UPDATED_AT: '$updatedAt',
  PUBLISHED_AT: '$publishedAt',
  STARTS_AT: '$startsAt',
};

function unsupported(dim: Dimension, source: ReportSource): never {
  throw new InvalidInputError(`维度 ${dim.by} 不适用于 ${source}`, `Dimension ${dim.by} does not apply to ${source}`, 'dimensions');
}

function resourcesPlan(models: Models, match: Document, scope: ReportScope): SourcePlan {
  const orgUnits = models.OrgUnit.collection.collectionName;
  return {
    collection: models.Resource.collection.collectionName,
    match,
    prepare: [],
    dimension(dim, slot) {
      switch (dim.by) {
        case 'DEPARTMENT':
          return scalarKey('$department');
        case 'KIND':
          return scalarKey('$kind');
        case 'THEME':
          return scalarKey('$theme');
        case 'VALIDITY':
          return scalarKey('$validity');
        case 'STATUS':
          return scalarKey('$status');
        case 'CATEGORY':
          return arrayKey('$categories', slot);
        case 'ISSUER':
          return arrayKey('$issuers', slot);
        case 'AUDIENCE':
          return arrayKey('$audience', slot);
        case 'FEED':
          return arrayKey('$provenance.feedId', slot);
        case 'ORG_UNIT':
          return orgRollup(orgUnits, 'orgUnits', dim.level!, slot, scope);
        case 'TIME':
          return { stages: [], key: bucketStartExpr(TIME_PATHS[dim.field ?? 'CREATED_AT'], dim.unit!) };
        default:
          return unsupported(dim, 'RESOURCES');
      }
    },
  };
}

/** Feeds, each joined with its runs: lag, streaks and rates are per feed, then summed or maxed per group. */
function feedsPlan(models: Models, match: Document, asOf: Date): SourcePlan {
  const runs = '__runs';
  return {
    collection: 'feeds',
    match,
    prepare: [
      { $lookup: { from: 'syncRuns', localField: '_id', foreignField: 'feed', as: runs } },
      {
        $addFields: {
          __runCount: { $size: `$${runs}` },
          __succeeded: { $size: { $filter: { input: `$${runs}`, as: 'r', cond: { $eq: ['$$r.status', 'SUCCEEDED'] } } } },
          __fetched: { $sum: `$${runs}.stats.fetched` },
          __quarantined: { $sum: `$${runs}.stats.quarantined` },
          // A feed that never succeeded has been stale since it was registered.
          __lagHours: { $divide: [{ $subtract: [asOf, { $ifNull: ['$lastSuccessAt', '$createdAt'] }] }, HOUR_MS] },
          [runs]: '$$REMOVE',
        },
      },
    ],
    dimension(dim) {
      switch (dim.by) {
        case 'DEPARTMENT':
          return scalarKey('$department');
        case 'KIND':
          return scalarKey('$targetKind');
        case 'FEED':
          return scalarKey('$_id');
        default:
          return unsupported(dim, 'FEEDS');
      }
    },
  };
}

/** Review stage entries: one per case and stage it entered (stageLog), with the time it took. */
function reviewsPlan(models: Models, match: Document, scope: ReportScope): SourcePlan {
  const orgUnits = models.OrgUnit.collection.collectionName;
  return {
    collection: models.ReviewCase.collection.collectionName,
    match,
    prepare: [{ $unwind: '$stageLog' }],
    dimension(dim, slot) {
      switch (dim.by) {
        case 'DEPARTMENT':
          return scalarKey('$department');
        case 'STATUS':
          return scalarKey('$state');
        case 'REVIEW_STAGE':
          return scalarKey('$stageLog.stage');
        case 'ORG_UNIT':
          return orgRollup(orgUnits, 'orgPaths', dim.level!, slot, scope);
        case 'TIME':
          return { stages: [], key: bucketStartExpr('$stageLog.enteredAt', dim.unit!) };
        default:
          return unsupported(dim, 'REVIEWS');
      }
    },
  };
}

function inForce(asOf: Date): Expr {
  return {
    $and: [
      { $eq: ['$kind', 'POLICY'] },
      { $eq: ['$validity', 'VALID'] },
      { $or: [{ $eq: [{ $ifNull: ['$effectiveFrom', null] }, null] }, { $lte: ['$effectiveFrom', asOf] }] },
      { $or: [{ $eq: [{ $ifNull: ['$effectiveTo', null] }, null] }, { $gt: ['$effectiveTo', asOf] }] },
    ],
  };
}

const countIf = (condition: Expr): Document => ({ $sum: { $cond: [condition, 1, 0] } });
const ratio = (numerator: string, denominator: string): Expr => ({
  $cond: [{ $gt: [`$${denominator}`, 0] }, { $round: [{ $divide: [`$${numerator}`, `$${denominator}`] }, 4] }, null],
});
const rounded = (field: string): Expr => ({ $cond: [{ $eq: [{ $type: `$${field}` }, 'null'] }, null, { $round: [`$${field}`, 2] }] });

function measurePlan(measure: Measure, asOf: Date, expiringWithinDays: number): MeasurePlan {
  const single = (accumulator: Document, output: (field: string) => Expr = (field) => `$${field}`): MeasurePlan => ({
    accumulators: { [measure]: accumulator },
    output: output(measure),
  });
  const stageHours = {
    $cond: [{ $eq: [{ $type: '$stageLog.decidedAt' }, 'date'] }, { $divide: [{ $subtract: ['$stageLog.decidedAt', '$stageLog.enteredAt'] }, HOUR_MS] }, null],
  };
  switch (measure) {
    case 'RESOURCE_COUNT':
    case 'FEED_COUNT':
    case 'STAGE_ENTRIES':
      return single({ $sum: 1 });
    case 'SERVICE_COUNT':
      return single(countIf({ $eq: ['$kind', 'SERVICE'] }));
    case 'POLICY_COUNT':
      return single(countIf({ $eq: ['$kind', 'POLICY'] }));
    case 'EVENT_COUNT':
      return single(countIf({ $eq: ['$kind', 'EVENT'] }));
    case 'ORG_UNITS_COVERED':
      // Distinct attachment sets are few (most resources sit on one unit), so the union is cheap.
      return single({ $addToSet: '$orgUnits' }, (field) => ({
        $size: { $reduce: { input: `$${field}`, initialValue: [], in: { $setUnion: ['$$value', '$$this'] } } },
      }));
    case 'POLICIES_IN_FORCE':
      return single(countIf(inForce(asOf)));
    case 'POLICIES_EXPIRING':
      return single(countIf({ $and: [inForce(asOf), { $lt: ['$effectiveTo', new Date(asOf.getTime() + expiringWithinDays * DAY_MS)] }] }));
    case 'FEED_LAG_HOURS':
      return single({ $max: '$__lagHours' }, rounded);
    case 'FAILURE_STREAK':
      return single({ $max: '$failureStreak' });
    case 'SYNC_SUCCESS_RATE':
      return {
        accumulators: { SYNC_SUCCESS_RATE_ok: { $sum: '$__succeeded' }, SYNC_SUCCESS_RATE_all: { $sum: '$__runCount' } },
        output: ratio('SYNC_SUCCESS_RATE_ok', 'SYNC_SUCCESS_RATE_all'),
      };
    case 'QUARANTINE_RATE':
      return {
        accumulators: { QUARANTINE_RATE_bad: { $sum: '$__quarantined' }, QUARANTINE_RATE_all: { $sum: '$__fetched' } },
        output: ratio('QUARANTINE_RATE_bad', 'QUARANTINE_RATE_all'),
      };
    case 'BACKLOG':
      return single(countIf({ $and: [{ $ne: [{ $type: '$stageLog.decidedAt' }, 'date'] }, { $eq: ['$state', 'IN_REVIEW'] }] }));
    case 'STAGE_HOURS_AVG':
      return single({ $avg: stageHours }, rounded);
    case 'STAGE_HOURS_MAX':
      return single({ $max: stageHours }, rounded);
  }
}

const RESOURCE_ONLY_FILTERS = ['kinds', 'categories', 'tags', 'audience', 'orgUnit', 'orgLevels', 'createdAt', 'updatedAt', 'themes', 'validity', 'effectiveAt', 'publishedAt', 'startsAt'] as const;

/** Feeds and review cases take only `departments` from the resource filter. */
function departmentsOnly(spec: ReportSpec, source: ReportSource): Document {
  const filter = spec.filter ?? {};
  const misplaced = RESOURCE_ONLY_FILTERS.find((field) => filter[field] != null);
  if (misplaced) {
    throw new InvalidInputError(`筛选条件 ${misplaced} 不适用于 ${source}`, `Filter ${misplaced} does not apply to ${source}`, `filter.${misplaced}`);
  }
  return filter.departments?.length ? { department: { $in: filter.departments.map((code) => code.toLowerCase()) } } : {};
}

function and(...clauses: Document[]): Document {
  const nonEmpty = clauses.filter((clause) => Object.keys(clause).length > 0);
  return nonEmpty.length === 0 ? {} : nonEmpty.length === 1 ? nonEmpty[0]! : { $and: nonEmpty };
}

async function planFor(models: Models, viewer: Viewer, spec: ReportSpec, scope: ReportScope, asOf: Date): Promise<SourcePlan> {
  const source = sourceOf(spec);
  switch (source) {
    case 'RESOURCES': {
      // Beyond visibility (which lets everyone see PUBLISHED PUBLIC content anywhere), a scoped
      // analyst's reports stay inside their subtrees.
      const within = scope.all ? {} : { orgPaths: { $in: scope.units.map((unit) => unit.id) } };
      return resourcesPlan(models, visible(viewer, and(await compileResourceFilter(models, spec.filter), within)) as Document, scope);
    }
    case 'FEEDS': {
      const feedScope = scope.all ? {} : { orgScope: { $in: await unitCodesWithin(models, scope) } };
      return feedsPlan(models, and({ status: { $ne: 'DELETED' } }, feedScope, departmentsOnly(spec, source)), asOf);
    }
    case 'REVIEWS': {
      const caseScope = scope.all ? {} : { orgPaths: { $in: scope.units.map((unit) => unit.id) } };
      return reviewsPlan(models, and(caseScope, departmentsOnly(spec, source)), scope);
    }
  }
}

/** Codes of the units in the scope's subtrees (feeds are placed by org unit code). */
async function unitCodesWithin(models: Models, scope: Extract<ReportScope, { all: false }>): Promise<string[]> {
  const ids = scope.units.map((unit) => unit.id);
  return models.OrgUnit.distinct('code', { $or: [{ _id: { $in: ids } }, { ancestors: { $in: ids } }] });
}

/**
 * Compiles a report into one pipeline: the visible, filtered documents, the source's joins,
 * then a $facet with the grouped rows and the totals over the same documents (each document
 * counted once in the totals, however many groups it falls in).
 */
export async function compileReport(models: Models, viewer: Viewer, spec: ReportSpec, now: Date = new Date()): Promise<CompiledReport> {
  const scope = reportScope(viewer);
  const asOf = spec.asOf ?? now;
  const source = sourceOf(spec);
  const plan = await planFor(models, viewer, spec, scope, asOf);
  const measures = [...new Set(spec.measures)];
  const measurePlans = measures.map((measure) => measurePlan(measure, asOf, spec.expiringWithinDays ?? 90));
  const accumulators = Object.assign({}, ...measurePlans.map((plan) => plan.accumulators)) as Record<string, Document>;
  const outputs = Object.fromEntries(measures.map((measure, index) => [measure, measurePlans[index]!.output]));

  const keyed = spec.dimensions.map((dim, index) => plan.dimension(dim, `__d${index}`));
  const groupKey = keyed.length === 0 ? null : Object.fromEntries(keyed.map((dim, index) => [`d${index}`, dim.key]));
  const rows: Document[] = [
    ...keyed.flatMap((dim) => dim.stages),
    { $group: { _id: groupKey, ...accumulators } },
    { $project: { _id: 0, keys: '$_id', ...outputs } },
  ];
  const totals: Document[] = [{ $group: { _id: null, ...accumulators } }, { $project: { _id: 0, ...outputs } }];
  const pipeline: Document[] = [
    ...(Object.keys(plan.match).length > 0 ? [{ $match: plan.match }] : []),
    ...plan.prepare,
    { $facet: { rows, totals } },
  ];
  return { source, collection: plan.collection, pipeline, measures, dimensions: spec.dimensions, scope };
}
