import { Decimal128, type Document } from 'bson';
import type { Collection } from './collection.js';
import type { Index, RangeBounds } from './indexes.js';
import { isIndexableScalar, isPlainObject, keyOf, typeRank, type Doc } from './values.js';

/** What a filter says about one field that an index can answer. */
interface FieldPredicate {
  equals?: unknown[];
  range?: RangeBounds;
}

const MAX_TUPLES = 1000;

/**
 * Picks the documents a filter can possibly match using the collection's indexes: a superset
 * that the caller still filters exactly (with mingo). Falls back to every document when no
 * index applies. Equality and `$in` use hash lookups; ranges use the sorted first field.
 */
export function candidateDocs(collection: Collection, filter: Document | undefined): Iterable<Doc> {
  return plan(collection, filter).docs;
}

export interface Plan {
  docs: Iterable<Doc>;
  /** True when the candidates are exactly the matches, so no filter needs to run. */
  exact: boolean;
}

export function plan(collection: Collection, filter: Document | undefined): Plan {
  if (!filter || Object.keys(filter).length === 0) return { docs: collection.docs.values(), exact: true };
  const ids = planIds(collection, filter);
  if (!ids) return { docs: collection.docs.values(), exact: false };
  const docs: Doc[] = [];
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    const doc = collection.docs.get(id);
    if (doc) docs.push(doc);
  }
  return { docs, exact: isExactLookup(collection, filter) };
}

/**
 * `{field: value}` or `{field: {$in: [...]}}` on `_id` or a plain single-field index: the hash
 * lookup already applies MongoDB's equality (array elements included), so the hot path of
 * lookups by key skips compiling a filter. Null (which also matches missing fields but not
 * empty arrays) and dotted paths are left to the exact filter.
 */
function isExactLookup(collection: Collection, filter: Document): boolean {
  const fields = Object.keys(filter);
  if (fields.length !== 1) return false;
  const field = fields[0] as string;
  if (field.startsWith('$') || field.includes('.')) return false;
  const equals = fieldPredicate(filter[field])?.equals;
  // Decimal128 keys are approximated by doubles; such lookups get the exact filter as well.
  if (!equals || !equals.every((value) => value !== null && value !== undefined && !(value instanceof Decimal128))) return false;
  if (field === '_id') return true;
  for (const index of collection.indexes.values()) {
    if (index.fields.length === 1 && index.fields[0] === field && !index.isPartial) return true;
  }
  return false;
}

/** Below this many index-selected candidates, sorting them beats walking an index in order. */
const SMALL_CANDIDATE_SET = 1000;

/** An index walk in the order of a sort's first field. */
export interface IndexOrder {
  /** Documents in order of the sort's first field (ties in index order). */
  docs: Iterable<Doc>;
  /** The sort's first field, whose value ends a tie group. */
  field: string;
}

/**
 * Walks an index in the order of the sort's first field: an index holding that field after
 * fields the filter pins to one value each (`{status: 'PUBLISHED'}` with `{status: 1, at: -1}`
 * for a sort on `at`), narrowed by a range on the sort field when the filter has one.
 * Undefined when no index fits (multikey, sparse and partial indexes cannot give a complete
 * order) or when the filter already selects few enough documents to sort them directly.
 */
export function indexOrder(collection: Collection, filter: Document | undefined, sort: Document): IndexOrder | undefined {
  const field = Object.keys(sort)[0];
  const direction = field === undefined ? undefined : sort[field];
  if (field === undefined || (direction !== 1 && direction !== -1)) return undefined;
  const predicates = filter ? collectPredicates(filter) : new Map<string, FieldPredicate>();
  for (const index of collection.indexes.values()) {
    if (index.multikey || index.sparse || index.isPartial) continue;
    const position = index.fields.indexOf(field);
    if (position < 0) continue;
    const prefix: unknown[] = [];
    for (const pinned of index.fields.slice(0, position)) {
      const equals = predicates.get(pinned)?.equals;
      if (equals?.length !== 1) break;
      prefix.push(equals[0]);
    }
    if (prefix.length !== position) continue;
    const selected = filter && Object.keys(filter).length > 0 ? planIds(collection, filter) : undefined;
    if (selected && selected.length < SMALL_CANDIDATE_SET) return undefined;
    const entries = index.lookupRange(prefix, predicates.get(field)?.range, () => collection.entries());
    return {
      field,
      docs: (function* () {
        for (let i = 0; i < entries.length; i++) {
          const entry = entries[direction === 1 ? i : entries.length - 1 - i];
          const doc = entry && collection.docs.get(entry.id);
          if (doc) yield doc;
        }
      })(),
    };
  }
  return undefined;
}

function planIds(collection: Collection, filter: Document): string[] | undefined {
  const predicates = collectPredicates(filter);
  const own = bestPlan(collection, predicates);
  if (own || !Array.isArray(filter.$or)) return own;
  // A top-level $or is answered by the union of its branches when every branch has a plan.
  const union: string[] = [];
  for (const branch of filter.$or as unknown[]) {
    if (!isPlainObject(branch)) return undefined;
    const ids = bestPlan(collection, collectPredicates(branch));
    if (!ids) return undefined;
    union.push(...ids);
  }
  return union;
}

function bestPlan(collection: Collection, predicates: Map<string, FieldPredicate>): string[] | undefined {
  const idEquals = predicates.get('_id')?.equals;
  if (idEquals) return idEquals.map(keyOf);
  let best: string[] | undefined;
  for (const index of collection.indexes.values()) {
    if (index.isPartial) continue;
    const ids = hashPlan(index, predicates);
    if (ids && (!best || ids.length < best.length)) best = ids;
  }
  if (best) return best;
  for (const index of collection.indexes.values()) {
    if (index.isPartial) continue;
    const ids = rangePlan(collection, index, predicates);
    if (ids && (!best || ids.length < best.length)) best = ids;
  }
  return best;
}

/** Every field of the index has an equality: look the tuples up in the hash. */
function hashPlan(index: Index, predicates: Map<string, FieldPredicate>): string[] | undefined {
  if (index.name === '_id_') return undefined;
  let tuples: unknown[][] = [[]];
  for (const field of index.fields) {
    const equals = predicates.get(field)?.equals;
    if (!equals || (index.sparse && equals.some((value) => value === null))) return undefined;
    tuples = tuples.flatMap((tuple) => equals.map((value) => [...tuple, value]));
    if (tuples.length > MAX_TUPLES) return undefined;
  }
  return index.lookupTuples(tuples);
}

/**
 * Equalities on a prefix of the index's fields, then optionally a range on the next field:
 * scan the sorted entries between the bounds.
 */
function rangePlan(collection: Collection, index: Index, predicates: Map<string, FieldPredicate>): string[] | undefined {
  let prefixes: unknown[][] = [[]];
  let range: RangeBounds | undefined;
  for (const field of index.fields) {
    const predicate = predicates.get(field);
    if (predicate?.equals) {
      if (index.sparse && predicate.equals.some((value) => value === null)) return undefined;
      const values = predicate.equals;
      prefixes = prefixes.flatMap((prefix) => values.map((value) => [...prefix, value]));
      if (prefixes.length > MAX_TUPLES) return undefined;
      continue;
    }
    range = predicate?.range;
    break;
  }
  if (prefixes[0]?.length === 0 && !range) return undefined;
  // On a multikey index, different elements may satisfy each bound: use only one of them.
  if (range && index.multikey && range.lower && range.upper) range = { lower: range.lower };
  const entries = () => collection.entries();
  return prefixes.flatMap((prefix) => index.lookupRange(prefix, range, entries).map((entry) => entry.id));
}

/** Field predicates from the filter's top level and its `$and` members. */
function collectPredicates(filter: Document, into = new Map<string, FieldPredicate>()): Map<string, FieldPredicate> {
  for (const [field, condition] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(condition)) {
      for (const member of condition) if (isPlainObject(member)) collectPredicates(member, into);
      continue;
    }
    if (field.startsWith('$')) continue;
    const predicate = fieldPredicate(condition);
    if (predicate && !into.has(field)) into.set(field, predicate);
  }
  return into;
}

function fieldPredicate(condition: unknown): FieldPredicate | undefined {
  if (isIndexableScalar(condition)) return { equals: [condition] };
  if (!isPlainObject(condition)) return undefined;
  const operators = Object.keys(condition);
  if (operators.length === 0 || !operators.every((op) => op.startsWith('$'))) return undefined;
  if ('$eq' in condition && isIndexableScalar(condition.$eq)) return { equals: [condition.$eq] };
  if (Array.isArray(condition.$in) && condition.$in.every(isIndexableScalar)) return { equals: condition.$in };
  const range: RangeBounds = {};
  for (const [op, inclusive, side] of [
    ['$gt', false, 'lower'],
    ['$gte', true, 'lower'],
    ['$lt', false, 'upper'],
    ['$lte', true, 'upper'],
  ] as const) {
    const value = condition[op];
    if (value !== undefined && value !== null && isIndexableScalar(value)) range[side] = { value, inclusive };
  }
  if (range.lower && range.upper && typeRank(range.lower.value) !== typeRank(range.upper.value)) delete range.upper;
  return range.lower || range.upper ? { range } : undefined;
}
