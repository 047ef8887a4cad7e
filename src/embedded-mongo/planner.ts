import { Decimal128, type Document } from 'bson';
import type { Collection } from './collection.js';
import type { Index, RangeBounds } from './indexes.js';
import { hasNativeMatcher } from './query.js';
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
  /**
   * What the candidates must still be checked against: the filter without the conditions the
   * indexes answered exactly; undefined when the candidates are exactly the matches.
   */
  residual: Document | undefined;
}

export function plan(collection: Collection, filter: Document | undefined): Plan {
  if (!filter || Object.keys(filter).length === 0) return { docs: collection.docs.values(), residual: undefined };
  const selected = selectIds(collection, filter);
  if (!selected) return { docs: collection.docs.values(), residual: filter };
  const docs: Doc[] = [];
  if (!selected.repeats) {
    for (const id of selected.ids) {
      const doc = collection.docs.get(id);
      if (doc) docs.push(doc);
    }
    return { docs, residual: selected.residual };
  }
  const seen = new Set<string>();
  for (const id of selected.ids) {
    if (seen.has(id)) continue;
    seen.add(id);
    const doc = collection.docs.get(id);
    if (doc) docs.push(doc);
  }
  return { docs, residual: selected.residual };
}

/**
 * Each index-selected candidate costs hash lookups by id (its set, the dedupe, the documents
 * map: a few µs each once the sets are large), while a native filter checks a document in a
 * fraction of a µs. So when the indexes leave more than 1/SCAN_SHARE of the collection (a
 * report's `{kind: 'SERVICE'}`), scanning every document with the whole filter is cheaper.
 */
const SCAN_SHARE = 8;

function scanIsCheaper(collection: Collection, candidates: number, filter: Document): boolean {
  return candidates >= scanThreshold(collection, filter);
}

/** The fewest candidates for which scanIsCheaper holds (Infinity when the filter cannot be scanned natively). */
function scanThreshold(collection: Collection, filter: Document): number {
  if (!hasNativeMatcher(filter) || readsLongArray(collection, filter)) return Infinity;
  return Math.floor(collection.docs.size / SCAN_SHARE) + 1;
}

/**
 * The native matcher checks an array element by element, so a condition on a long array (a
 * resource's ~200 search terms) costs µs per scanned document, more than gathering ids: such
 * filters keep to the index sets. Short arrays (org paths, categories) scan as cheaply as
 * scalars. Array lengths are read from the first few documents.
 */
const LONG_ARRAY = 16;
const LENGTH_SAMPLE = 3;

function readsLongArray(collection: Collection, filter: Document): boolean {
  const sample: Doc[] = [];
  for (const doc of collection.docs.values()) {
    if (sample.length === LENGTH_SAMPLE) break;
    sample.push(doc);
  }
  const long = (field: string) => sample.some((doc) => Array.isArray(doc[field]) && (doc[field] as unknown[]).length > LONG_ARRAY);
  const reads = (value: unknown): boolean =>
    isPlainObject(value) &&
    Object.entries(value).some(([field, condition]) =>
      field === '$and' || field === '$or' ? Array.isArray(condition) && condition.some(reads) : long(field),
    );
  return reads(filter);
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
  return selectIds(collection, filter)?.ids;
}

interface Selection {
  ids: string[];
  residual: Document | undefined;
  /** Whether an id may occur more than once in `ids` (a union, a multikey range): the caller dedupes. */
  repeats: boolean;
}

function selectIds(collection: Collection, filter: Document): Selection | undefined {
  const own = conjunctionPlan(collection, filter);
  if (own || !Array.isArray(filter.$or)) return own;
  // A top-level $or is answered by the union of its branches when every branch has a plan.
  const union: string[] = [];
  for (const branch of filter.$or as unknown[]) {
    if (!isPlainObject(branch)) return undefined;
    const ids = conjunctionPlan(collection, branch)?.ids;
    if (!ids) return undefined;
    union.push(...ids);
  }
  return { ids: union, residual: filter, repeats: true };
}

/** One condition of a filter's conjunction: a top-level entry, also inside (nested) `$and` members. */
interface Conjunct {
  field: string;
  condition: unknown;
}

function conjunctsOf(filter: Document, into: Conjunct[] = []): Conjunct[] {
  for (const [field, condition] of Object.entries(filter)) {
    // Malformed `$and`s stay whole, so that the filter still reports them.
    if (field === '$and' && Array.isArray(condition) && condition.length > 0 && condition.every(isPlainObject)) {
      for (const member of condition as Document[]) conjunctsOf(member, into);
    } else into.push({ field, condition });
  }
  return into;
}

/** The ids of one equality condition, read from the index's own sets without copying them. */
interface IdSet {
  size: number;
  has(id: string): boolean;
  ids(): Iterable<string>;
  /** Whether `ids()` may yield an id more than once (a union of branches). */
  repeats: boolean;
  /** The index's own set when this is exactly one (two conditions on one value need one check). */
  owners?: object;
}

/**
 * Intersects the id sets of every equality, `$in` and `$all` condition on `_id` or a
 * single-field index, smallest first (compound-index and range plans may seed it when smaller).
 * Conditions the sets answer exactly are left out of the residual filter.
 */
function conjunctionPlan(collection: Collection, filter: Document): Selection | undefined {
  const conjuncts = conjunctsOf(filter);
  const sets: IdSet[] = [];
  const residual: Conjunct[] = [];
  for (const conjunct of conjuncts) {
    const answer = answerConjunct(collection, conjunct);
    if (answer) sets.push(...answer.sets);
    if (!answer?.exact) residual.push(conjunct);
  }
  // A search's anchor `$in` and its `$all` name the same term: one set, checked once.
  const distinct = sets.filter((set, i) => set.owners === undefined || sets.findIndex((other) => other.owners === set.owners) === i);
  distinct.sort((a, b) => a.size - b.size);
  const smallest = distinct[0];
  // A single large set is the candidates as they stand: a composite plan (a walk over sorted
  // entries) would cost as much as the scan.
  if (distinct.length === 1 && scanIsCheaper(collection, smallest!.size, filter)) return undefined;
  // With no set in hand, a composite plan the scan would beat is only counted, never built.
  const toBeat = smallest ? smallest.size : scanThreshold(collection, filter);
  const seed = smallest && smallest.size <= SMALL_CANDIDATE_SET ? undefined : compositePlan(collection, collectPredicates(filter), toBeat);
  // A seed may list an id more than once (several entries of a multikey index).
  if (!smallest) return seed && !scanIsCheaper(collection, seed.length, filter) ? { ids: seed, residual: filter, repeats: true } : undefined;
  const seeded = seed !== undefined && seed.length < smallest.size;
  const [source, filters] = seeded ? [seed, distinct] : [smallest.ids(), distinct.slice(1)];
  const ids = filters.length === 0 ? [...source] : idsInAll(source, filters);
  const repeats = seeded || smallest.repeats;
  return scanIsCheaper(collection, ids.length, filter) ? undefined : { ids, residual: residualFilter(filter, conjuncts, residual), repeats };
}

/** The ids of `source` that every set holds (a loop, not a closure per id: it runs for every candidate). */
function idsInAll(source: Iterable<string>, sets: readonly IdSet[]): string[] {
  const ids: string[] = [];
  next: for (const id of source) {
    for (const set of sets) if (!set.has(id)) continue next;
    ids.push(id);
  }
  return ids;
}

function residualFilter(filter: Document, conjuncts: Conjunct[], residual: Conjunct[]): Document | undefined {
  if (residual.length === 0) return undefined;
  if (residual.length === conjuncts.length) return filter;
  const rest: Document = {};
  const clashes: Document[] = [];
  for (const { field, condition } of residual) {
    if (field in rest || field === '$and') clashes.push({ [field]: condition });
    else rest[field] = condition;
  }
  if (clashes.length > 0) rest.$and = clashes;
  return rest;
}

interface Answer {
  sets: IdSet[];
  /** True when the sets say everything the condition says. */
  exact: boolean;
}

function answerConjunct(collection: Collection, { field, condition }: Conjunct): Answer | undefined {
  if (field === '$or') return answerDisjunction(collection, condition);
  if (field.startsWith('$')) return undefined;
  const index = field === '_id' ? undefined : singleFieldIndex(collection, field);
  if (field !== '_id' && !index) return undefined;
  const equalities = equalityGroups(condition);
  if (!equalities) return undefined;
  const values = equalities.groups.flat();
  if (index?.sparse && values.some((value) => value === null)) return undefined;
  const sets = equalities.groups.map((group) => (index ? indexIdSet(index, group) : idIdSet(group)));
  // Null also matches missing fields but not empty arrays, dotted paths cross arrays of
  // documents, and Decimal128 keys are approximated by doubles: those keep the exact filter.
  const exact =
    equalities.complete && !field.includes('.') && values.every((value) => value !== null && value !== undefined && !(value instanceof Decimal128));
  return { sets, exact };
}

/**
 * An `$or` inside a conjunction (a search's synonym alternatives): the union of its branches'
 * intersections when every branch has index sets; exact when every branch was answered exactly.
 */
function answerDisjunction(collection: Collection, condition: unknown): Answer | undefined {
  if (!Array.isArray(condition) || condition.length === 0 || !condition.every(isPlainObject)) return undefined;
  const branches: IdSet[] = [];
  let exact = true;
  for (const branch of condition as Document[]) {
    const sets: IdSet[] = [];
    for (const conjunct of conjunctsOf(branch)) {
      const answer = answerConjunct(collection, conjunct);
      if (answer) sets.push(...answer.sets);
      if (!answer?.exact) exact = false;
    }
    if (sets.length === 0) return undefined;
    branches.push(intersection(sets));
  }
  return { sets: [union(branches)], exact };
}

/** The ids in every set; its size is that of the smallest (an upper bound). */
function intersection(sets: IdSet[]): IdSet {
  const [smallest, ...others] = [...sets].sort((a, b) => a.size - b.size) as [IdSet, ...IdSet[]];
  if (others.length === 0) return smallest;
  return {
    size: smallest.size,
    has: (id) => smallest.has(id) && others.every((set) => set.has(id)),
    ids: () => idsInAll(smallest.ids(), others),
    repeats: smallest.repeats,
  };
}

/** The ids in any set; its size is the sum (an upper bound), its ids may repeat. */
function union(sets: IdSet[]): IdSet {
  if (sets.length === 1) return sets[0]!;
  return {
    size: sets.reduce((total, set) => total + set.size, 0),
    has: (id) => sets.some((set) => set.has(id)),
    ids: function* () {
      for (const set of sets) yield* set.ids();
    },
    repeats: true,
  };
}

function singleFieldIndex(collection: Collection, field: string): Index | undefined {
  for (const index of collection.indexes.values()) {
    if (index.name !== '_id_' && index.fields.length === 1 && index.fields[0] === field && !index.isPartial) return index;
  }
  return undefined;
}

/**
 * The equality conditions a field condition implies, each a set of alternative values:
 * a value or `$eq` (one), `$in` (one with all its values), `$all` (one per value).
 * `complete` when the condition says nothing else.
 */
function equalityGroups(condition: unknown): { groups: unknown[][]; complete: boolean } | undefined {
  if (isIndexableScalar(condition)) return { groups: [[condition]], complete: true };
  if (!isPlainObject(condition)) return undefined;
  const operators = Object.keys(condition);
  if (operators.length === 0 || !operators.every((op) => op.startsWith('$'))) return undefined;
  const groups: unknown[][] = [];
  let complete = true;
  for (const op of operators) {
    const operand = condition[op];
    if (op === '$eq' && isIndexableScalar(operand)) groups.push([operand]);
    else if (op === '$in' && Array.isArray(operand) && operand.every(isIndexableScalar)) groups.push(operand);
    else if (op === '$all' && Array.isArray(operand) && operand.length > 0 && operand.every(isIndexableScalar)) groups.push(...operand.map((value) => [value]));
    else complete = false;
  }
  return groups.length > 0 ? { groups, complete } : undefined;
}

/**
 * The ids of the documents holding any of the values. Each id once: a document holding several
 * of the values (a multikey field) is listed under the first, found by asking the sets before
 * (no set of seen ids to build). One value's set is handed out as the index holds it.
 */
function indexIdSet(index: Index, values: unknown[]): IdSet {
  const owners = values.flatMap((value) => index.owners([value]) ?? []);
  const heldBefore = (id: string, end: number): boolean => {
    for (let i = 0; i < end; i++) {
      const owner = owners[i]!;
      if (typeof owner === 'string' ? owner === id : owner.has(id)) return true;
    }
    return false;
  };
  const only = owners.length === 1 ? owners[0] : undefined;
  return {
    size: owners.reduce((total, owner) => total + (typeof owner === 'string' ? 1 : owner.size), 0),
    // One value's set (a search term's) is asked directly: this runs for every candidate of an intersection.
    has: only !== undefined && typeof only !== 'string' ? (id) => only.has(id) : (id) => heldBefore(id, owners.length),
    ids: () => {
      if (owners.length === 1) return typeof owners[0] === 'string' ? [owners[0]] : owners[0]!;
      const ids: string[] = [];
      owners.forEach((owner, i) => {
        for (const id of typeof owner === 'string' ? [owner] : owner) if (!heldBefore(id, i)) ids.push(id);
      });
      return ids;
    },
    repeats: false,
    owners: owners.length === 1 && typeof owners[0] !== 'string' ? owners[0] : undefined,
  };
}

function idIdSet(values: unknown[]): IdSet {
  const keys = values.map(keyOf);
  const set = new Set(keys);
  // The set lists each id once, in the order first given.
  return { size: keys.length, has: (id) => set.has(id), ids: () => set, repeats: false };
}

/** The smallest candidate set from a compound index's hash or any index's sorted entries. */
/** `toBeat`: the size of a candidate set already in hand; a plan at least as large is not built. */
function compositePlan(collection: Collection, predicates: Map<string, FieldPredicate>, toBeat = Infinity): string[] | undefined {
  let best: string[] | undefined;
  for (const index of collection.indexes.values()) {
    if (index.isPartial || index.fields.length < 2) continue;
    const ids = hashPlan(index, predicates);
    if (ids && (!best || ids.length < best.length)) best = ids;
  }
  if (best) return best;
  for (const index of collection.indexes.values()) {
    // Equalities on one field are answered by the hash (see conjunctionPlan).
    if (index.isPartial || (index.fields.length === 1 && predicates.get(index.fields[0] as string)?.equals)) continue;
    const ids = rangePlan(collection, index, predicates, Math.min(toBeat, best?.length ?? Infinity));
    if (ids && (!best || ids.length < best.length)) best = ids;
  }
  return best;
}

/** Every field of the index has an equality: look the tuples up in the hash. */
function hashPlan(index: Index, predicates: Map<string, FieldPredicate>): string[] | undefined {
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
function rangePlan(collection: Collection, index: Index, predicates: Map<string, FieldPredicate>, toBeat = Infinity): string[] | undefined {
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
  // Counting is two binary searches; building the ids of a range that cannot win is O(range).
  let count = 0;
  for (const prefix of prefixes) if ((count += index.countRange(prefix, range, entries)) >= toBeat) return undefined;
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
