import { EJSON, type Document } from 'bson';
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

/** How a dimension keys documents: stages that derive its key (joins, unwinds), the key, the fields it reads. */
interface DimensionPlan {
  /**
   * Stages on each source document before the source's own unwinding (`prepare`): a key that
   * does not depend on the unwound element is then derived once per document, not once per row.
   */
  derive?: Document[];
  stages: Document[];
  key: Expr;
  /** Top-level fields (of the source document, or written by `derive`) the stages and key read: kept by the early $project. */
  reads: string[];
  /** Fields the early $project computes for the stages and key (a stored value copied into the dimension's slot). */
  computed?: Record<string, Expr>;
}

/** What the source's documents are and how each dimension keys them. */
interface SourcePlan {
  collection: string;
  match: Document;
  /** Stages run once per document before the measures' inputs are computed (joins, unwinding). */
  prepare: Document[];
  dimension(dim: Dimension, slot: string): DimensionPlan;
}

interface MeasurePlan {
  /**
   * Values computed once per document, in the $project right after the match (before any
   * dimension unwinds it into several rows), named like the accumulators that fold them.
   */
  inputs: Record<string, Expr>;
  /** $group accumulators, named `<measure>` or `<measure>_<part>`. */
  accumulators: Record<string, Document>;
  /** The value from the accumulators. */
  output: Expr;
}

const head = (path: string): string => path.slice(1).split('.')[0]!;

function scalarKey(path: string): DimensionPlan {
  return { stages: [], key: { $ifNull: [path, null] }, reads: [head(path)] };
}

/** A key from an array field: one group per distinct element; an empty array keys null. */
function arrayKey(arrayPath: string, slot: string): DimensionPlan {
  return {
    stages: [{ $addFields: { [slot]: { $setUnion: [{ $ifNull: [arrayPath, []] }] } } }, { $unwind: { path: `$${slot}`, preserveNullAndEmptyArrays: true } }],
    key: { $ifNull: [`$${slot}`, null] },
    reads: [head(arrayPath)],
  };
}

/**
 * Org roll-up to `level`: each attached unit stands for its ancestor at that level
 * (`ancestors[level-1]`), or for itself when it is at that level. Units above the level have no
 * such ancestor; a document attached only above it keys null ("above this level"). The rows
 * unwind `slot`, the document's anchors (an array).
 * - Unscoped, the anchors are the ones stored with the placement (`orgAnchors.l<level>`, domain/org
 *   orgAnchorsOf, back-filled by ensureOrgAnchors): the early $project copies them into `slot`, no join.
 * - Scoped, only the units inside the viewer's subtrees count (a resource may also be attached
 *   elsewhere, and a unit inside a scope below `level` rolls up to an anchor outside it), so the
 *   units are joined and filtered (`join`: $lookup into `slot`, then the roll-up replaces it, so
 *   there is no field to remove; a removed field costs the embedded store a property deletion per
 *   document). `joinFirst` runs the join before the source's own unwinding (once per document).
 */
function orgRollup(orgUnitsCollection: string, unitsField: string, level: number, slot: string, scope: ReportScope, joinFirst: boolean): DimensionPlan {
  const unwind = { $unwind: { path: `$${slot}`, preserveNullAndEmptyArrays: true } };
  const key = { $ifNull: [`$${slot}`, null] };
  if (scope.all) return { stages: [unwind], key, reads: [], computed: { [slot]: `$orgAnchors.l${level}` } };
  const scopeIds = scope.units.map((unit) => unit.id);
  const units = { $filter: { input: `$${slot}`, as: 'u', cond: { $or: [{ $in: ['$$u._id', scopeIds] }, { $gt: [{ $size: { $setIntersection: ['$$u.ancestors', scopeIds] } }, 0] }] } } };
  const anchor = {
    $cond: [{ $eq: ['$$u.level', level] }, '$$u._id', { $cond: [{ $gt: ['$$u.level', level] }, { $arrayElemAt: ['$$u.ancestors', level - 1] }, null] }],
  };
  const join = [
    { $lookup: { from: orgUnitsCollection, localField: unitsField, foreignField: '_id', as: slot } },
    {
      $addFields: {
        [slot]: { $filter: { input: { $setUnion: [{ $map: { input: units, as: 'u', in: anchor } }] }, as: 'a', cond: { $ne: ['$$a', null] } } },
      },
    },
  ];
  return joinFirst ? { derive: join, stages: [unwind], key, reads: [slot] } : { stages: [...join, unwind], key, reads: [unitsField] };
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
          return orgRollup(orgUnits, 'orgUnits', dim.level!, slot, scope, false);
        case 'TIME': {
          const path = TIME_PATHS[dim.field ?? 'CREATED_AT'];
          return { stages: [], key: bucketStartExpr(path, dim.unit!), reads: [head(path)] };
        }
        default:
          return unsupported(dim, 'RESOURCES');
      }
    },
  };
}

/** The runs a feed's document is joined with (FEEDS source): lag, streaks and rates are per feed, then summed or maxed per group. */
const RUNS = '$__runs';

function feedsPlan(match: Document): SourcePlan {
  return {
    collection: 'feeds',
    match,
    prepare: [{ $lookup: { from: 'syncRuns', localField: '_id', foreignField: 'feed', as: RUNS.slice(1) } }],
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
          // A joined case's units are the same for each of its stage entries: rolled up once per case, before $unwind of the stage log.
          // From its attached units (usually one), not its orgPaths (four): the same anchors, a quarter of the joins.
          return orgRollup(orgUnits, 'orgUnits', dim.level!, slot, scope, true);
        case 'TIME':
          return { stages: [], key: bucketStartExpr('$stageLog.enteredAt', dim.unit!), reads: ['stageLog'] };
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

const ratio = (numerator: string, denominator: string): Expr => ({
  $cond: [{ $gt: [`$${denominator}`, 0] }, { $round: [{ $divide: [`$${numerator}`, `$${denominator}`] }, 4] }, null],
});
const rounded = (field: string): Expr => ({ $cond: [{ $eq: [{ $type: `$${field}` }, 'null'] }, null, { $round: [`$${field}`, 2] }] });

/** Accumulators folding each named input with `op`, output under the same names. */
function folded(op: '$sum' | '$max' | '$avg' | '$addToSet', inputs: Record<string, Expr>, output: Expr): MeasurePlan {
  return { inputs, accumulators: Object.fromEntries(Object.keys(inputs).map((name) => [name, { [op]: `$${name}` }])), output };
}

function measurePlan(measure: Measure, asOf: Date, expiringWithinDays: number): MeasurePlan {
  /** One input per document, folded with `op` into the measure. */
  const single = (op: '$sum' | '$max' | '$avg' | '$addToSet', input: Expr, output: (field: string) => Expr = (field) => `$${field}`): MeasurePlan =>
    folded(op, { [measure]: input }, output(measure));
  const countIf = (condition: Expr): MeasurePlan => single('$sum', { $cond: [condition, 1, 0] });
  const stageHours = {
    $cond: [{ $eq: [{ $type: '$stageLog.decidedAt' }, 'date'] }, { $divide: [{ $subtract: ['$stageLog.decidedAt', '$stageLog.enteredAt'] }, HOUR_MS] }, null],
  };
  switch (measure) {
    case 'RESOURCE_COUNT':
    case 'FEED_COUNT':
    case 'STAGE_ENTRIES':
      return { inputs: {}, accumulators: { [measure]: { $sum: 1 } }, output: `$${measure}` };
    case 'SERVICE_COUNT':
      return countIf({ $eq: ['$kind', 'SERVICE'] });
    case 'POLICY_COUNT':
      return countIf({ $eq: ['$kind', 'POLICY'] });
    case 'EVENT_COUNT':
      return countIf({ $eq: ['$kind', 'EVENT'] });
    case 'ORG_UNITS_COVERED':
      // Distinct attachment sets are few (most resources sit on one unit), so the union is cheap.
      return single('$addToSet', '$orgUnits', (field) => ({
        $size: { $reduce: { input: `$${field}`, initialValue: [], in: { $setUnion: ['$$value', '$$this'] } } },
      }));
    case 'POLICIES_IN_FORCE':
      return countIf(inForce(asOf));
    case 'POLICIES_EXPIRING':
      // The end date first: most policies fail it, so the validity window is evaluated for few. Its
      // type check matters on MongoDB, where a missing end (null) sorts before every date.
      return countIf({
        $and: [{ $eq: [{ $type: '$effectiveTo' }, 'date'] }, { $lt: ['$effectiveTo', new Date(asOf.getTime() + expiringWithinDays * DAY_MS)] }, inForce(asOf)],
      });
    case 'FEED_LAG_HOURS':
      // A feed that never succeeded has been stale since it was registered.
      return single('$max', { $divide: [{ $subtract: [asOf, { $ifNull: ['$lastSuccessAt', '$createdAt'] }] }, HOUR_MS] }, rounded);
    case 'FAILURE_STREAK':
      return single('$max', '$failureStreak');
    case 'SYNC_SUCCESS_RATE':
      return folded(
        '$sum',
        { SYNC_SUCCESS_RATE_ok: { $size: { $filter: { input: RUNS, as: 'r', cond: { $eq: ['$$r.status', 'SUCCEEDED'] } } } }, SYNC_SUCCESS_RATE_all: { $size: RUNS } },
        ratio('SYNC_SUCCESS_RATE_ok', 'SYNC_SUCCESS_RATE_all'),
      );
    case 'QUARANTINE_RATE':
      return folded(
        '$sum',
        { QUARANTINE_RATE_bad: { $sum: `${RUNS}.stats.quarantined` }, QUARANTINE_RATE_all: { $sum: `${RUNS}.stats.fetched` } },
        ratio('QUARANTINE_RATE_bad', 'QUARANTINE_RATE_all'),
      );
    case 'BACKLOG':
      return countIf({ $and: [{ $ne: [{ $type: '$stageLog.decidedAt' }, 'date'] }, { $eq: ['$state', 'IN_REVIEW'] }] });
    case 'STAGE_HOURS_AVG':
      return single('$avg', stageHours, rounded);
    case 'STAGE_HOURS_MAX':
      return single('$max', stageHours, rounded);
  }
}

/**
 * Measure inputs with the same expression (a stage's hours, averaged and maxed) are computed once:
 * the later ones are dropped and their accumulators read the first one's field.
 */
function sharedInputs(inputs: Record<string, Expr>, accumulators: Record<string, Document>): { inputs: Record<string, Expr>; accumulators: Record<string, Document> } {
  const byExpression = new Map<string, string>();
  const aliases = new Map<string, string>();
  const kept: Record<string, Expr> = {};
  for (const [name, expr] of Object.entries(inputs)) {
    const key = EJSON.stringify(expr, { relaxed: false });
    const first = byExpression.get(key);
    if (first) aliases.set(name, first);
    else {
      byExpression.set(key, name);
      kept[name] = expr;
    }
  }
  const reading = (accumulator: Document): Document =>
    Object.fromEntries(Object.entries(accumulator).map(([op, arg]) => [op, typeof arg === 'string' && aliases.has(arg.slice(1)) ? `$${aliases.get(arg.slice(1))!}` : arg]));
  return { inputs: kept, accumulators: Object.fromEntries(Object.entries(accumulators).map(([name, accumulator]) => [name, reading(accumulator)])) };
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
      return feedsPlan(and({ status: { $ne: 'DELETED' } }, feedScope, departmentsOnly(spec, source)));
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
 * Compiles a report into one pipeline: the visible, filtered documents (the $match an index
 * answers), keys derived once per document (a review case's org roll-up), the source's joins
 * and unwinding, a $project down to the fields the dimensions read plus each
 * measure's per-document inputs (computed once per document, not once per unwound row and
 * branch), then a $facet with the grouped rows and the totals over the same documents (each
 * document counted once in the totals, however many groups it falls in).
 */
export async function compileReport(models: Models, viewer: Viewer, spec: ReportSpec, now: Date = new Date()): Promise<CompiledReport> {
  const scope = reportScope(viewer);
  const asOf = spec.asOf ?? now;
  const source = sourceOf(spec);
  const plan = await planFor(models, viewer, spec, scope, asOf);
  const measures = [...new Set(spec.measures)];
  const measurePlans = measures.map((measure) => measurePlan(measure, asOf, spec.expiringWithinDays ?? 90));
  const outputs = Object.fromEntries(measures.map((measure, index) => [measure, measurePlans[index]!.output]));

  const keyed = spec.dimensions.map((dim, index) => plan.dimension(dim, `__d${index}`));
  const { inputs, accumulators } = sharedInputs(
    Object.assign({}, ...measurePlans.map((plan) => plan.inputs)) as Record<string, Expr>,
    Object.assign({}, ...measurePlans.map((plan) => plan.accumulators)) as Record<string, Document>,
  );
  const reads = new Set(keyed.flatMap((dim) => dim.reads));
  // `_id` stays only when a dimension reads it; a projection keeping nothing else keeps `_id` alone.
  const kept = Object.fromEntries([...reads].map((field) => [field, 1]));
  const computed = Object.assign({}, ...keyed.map((dim) => dim.computed ?? {})) as Record<string, Expr>;
  const produced = { ...kept, ...computed, ...inputs };
  const projection = { ...(reads.has('_id') ? {} : { _id: Object.keys(produced).length === 0 ? 1 : 0 }), ...produced };
  const groupKey = keyed.length === 0 ? null : Object.fromEntries(keyed.map((dim, index) => [`d${index}`, dim.key]));
  const rows: Document[] = [
    ...keyed.flatMap((dim) => dim.stages),
    { $group: { _id: groupKey, ...accumulators } },
    { $project: { _id: 0, keys: '$_id', ...outputs } },
  ];
  const totals: Document[] = [{ $group: { _id: null, ...accumulators } }, { $project: { _id: 0, ...outputs } }];
  const pipeline: Document[] = [
    ...(Object.keys(plan.match).length > 0 ? [{ $match: plan.match }] : []),
    ...keyed.flatMap((dim) => dim.derive ?? []),
    ...plan.prepare,
    { $project: projection },
    { $facet: { rows, totals } },
  ];
  return { source, collection: plan.collection, pipeline, measures, dimensions: spec.dimensions, scope };
}
