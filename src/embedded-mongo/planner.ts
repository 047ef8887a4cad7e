import { Decimal128, type Document } from 'bson';
import type { Collection } from './collection.js';
import { bitsetOf, setSlotBits, type Index, type RangeBounds } from './indexes.js';
import { hasNativeMatcher } from './query.js';
import { isIndexableScalar, isPlainObject, isValidDate, keyOf, typeRank, type Doc } from './values.js';

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
  const selected = selectSlots(collection, filter);
  if (!selected) return { docs: collection.docs.values(), residual: filter };
  const stored = collection.slots.docs;
  const { slots } = selected;
  const docs: Doc[] = new Array<Doc>(slots.length);
  for (let i = 0; i < slots.length; i++) docs[i] = stored[slots[i]!]!;
  return { docs, residual: selected.residual };
}

/**
 * Index-selected candidates cost their keys' slot lists (built from the ids on first use) and
 * then the residual check, while a scan checks every document natively, in order. When the
 * indexes leave more than 1/SCAN_SHARE of the collection (a report's `{kind: 'SERVICE'}`),
 * scanning every document with the whole filter is cheaper (measured with id lookups; kept).
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
    const selected = filter && Object.keys(filter).length > 0 ? selectSlots(collection, filter)?.slots : undefined;
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

interface Selection {
  /** The candidates' slots (see Slots), ascending, each once. */
  slots: ArrayLike<number>;
  residual: Document | undefined;
  /** The residual as the conjuncts it consists of (empty when there is none). */
  rest: Conjunct[];
}

/**
 * The filter's candidates by slot (ascending, each once; undefined for every stored document
 * when no index plan applies) and the conjuncts the candidates must still satisfy: the
 * candidates that satisfy every one of them are exactly the filter's matches.
 */
export function slotSelection(collection: Collection, filter: Document | undefined): { slots: ArrayLike<number> | undefined; rest: Conjunct[] } {
  if (!filter || Object.keys(filter).length === 0) return { slots: undefined, rest: [] };
  return selectSlots(collection, filter) ?? { slots: undefined, rest: conjunctsOf(filter) };
}

function selectSlots(collection: Collection, filter: Document): Selection | undefined {
  const own = conjunctionPlan(collection, filter);
  if (own || !Array.isArray(filter.$or)) return own;
  // A top-level $or is answered by the union of its branches when every branch has a plan.
  const bits = new Uint32Array(wordsFor(collection));
  for (const branch of filter.$or as unknown[]) {
    if (!isPlainObject(branch)) return undefined;
    const slots = conjunctionPlan(collection, branch)?.slots;
    if (!slots) return undefined;
    setSlotBits(bits, slots);
  }
  return { slots: slotsOfBits(bits), residual: filter, rest: conjunctsOf(filter) };
}

/** One condition of a filter's conjunction: a top-level entry, also inside (nested) `$and` members. */
export interface Conjunct {
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

/**
 * The documents one condition selects, by slot: index postings as sorted slot lists and
 * bitsets (see SlotPostings), so that an intersection tests a bit per candidate instead of
 * looking its id up in a hash set, and reaches the document by its slot.
 */
interface SlotSet {
  /** How many (an upper bound for unions and intersections). */
  size: number;
  /** The slots, ascending, each once. */
  list(): ArrayLike<number>;
  /** The slots as a bitset; slots past its end are not in the set. */
  bits(): Uint32Array;
  /** The index's own postings when this is exactly one key's (two conditions on one key need one check). */
  owners?: object;
}

/**
 * Intersects the slot sets of every equality, `$in` and `$all` condition on `_id` or a
 * single-field index, smallest first (compound-index and range plans may seed it when smaller).
 * Conditions the sets answer exactly are left out of the residual filter.
 */
function conjunctionPlan(collection: Collection, filter: Document): Selection | undefined {
  const conjuncts = conjunctsOf(filter);
  const sets: SlotSet[] = [];
  const residual: Conjunct[] = [];
  let predicates: Map<string, FieldPredicate> | undefined;
  const enclosing = () => (predicates ??= collectPredicates(filter));
  for (const conjunct of conjuncts) {
    const answer = answerConjunct(collection, conjunct, enclosing);
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
  const seed = smallest && smallest.size <= SMALL_CANDIDATE_SET ? undefined : compositePlan(collection, enclosing(), toBeat);
  if (!smallest) return seed && !scanIsCheaper(collection, seed.length, filter) ? { slots: slotsOfIds(collection, seed), residual: filter, rest: conjuncts } : undefined;
  const seeded = seed !== undefined && seed.length < smallest.size;
  const slots = seeded ? slotsInAll(slotsOfIds(collection, seed), distinct) : slotsInAll(smallest.list(), distinct.slice(1));
  return scanIsCheaper(collection, slots.length, filter) ? undefined : { slots, residual: residualFilter(filter, conjuncts, residual), rest: residual };
}

/** The slots of `source` that every set holds (a loop over bitsets: it runs for every candidate). */
function slotsInAll(source: ArrayLike<number>, sets: readonly SlotSet[]): ArrayLike<number> {
  if (sets.length === 0) return source;
  const bitsets = sets.map((set) => set.bits());
  // Written into one typed array as long as the source: a growing array of numbers was copied
  // as it grew, tens of thousands of candidates at 100k (garbage on every query).
  const slots = new Int32Array(source.length);
  let n = 0;
  next: for (let i = 0; i < source.length; i++) {
    const slot = source[i]!;
    const word = slot >>> 5;
    const bit = 1 << (slot & 31);
    for (let k = 0; k < bitsets.length; k++) {
      const bits = bitsets[k]!;
      if (word >= bits.length || (bits[word]! & bit) === 0) continue next;
    }
    slots[n++] = slot;
  }
  return slots.subarray(0, n);
}

/** Words of a bitset over every slot of the collection. */
function wordsFor(collection: Collection): number {
  return (collection.slots.width + 31) >>> 5;
}

/** The slots of a bitset, ascending. */
function slotsOfBits(bits: Uint32Array): Int32Array {
  // Counted first, so that the slots fill one typed array (see slotsInAll).
  let count = 0;
  for (let word = 0; word < bits.length; word++) {
    for (let rest = bits[word]!; rest !== 0; rest &= rest - 1) count++;
  }
  const slots = new Int32Array(count);
  let n = 0;
  for (let word = 0; word < bits.length; word++) {
    let rest = bits[word]!;
    while (rest !== 0) {
      const lowest = rest & -rest;
      slots[n++] = word * 32 + 31 - Math.clz32(lowest);
      rest ^= lowest;
    }
  }
  return slots;
}

/** The slots of stored documents among `ids` (which may repeat or name documents no longer stored), ascending, each once. */
function slotsOfIds(collection: Collection, ids: Iterable<string>): ArrayLike<number> {
  // Sorted rather than marked in a bitset: a lookup of a few ids (by `_id`) costs nothing per stored document.
  const found: number[] = [];
  for (const id of ids) {
    const slot = collection.slots.of(id);
    if (slot !== undefined) found.push(slot);
  }
  const sorted = Int32Array.from(found).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (n === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i]!;
  return sorted.subarray(0, n);
}

/** A set given by its slot list; its bitset built when first asked. */
function listedSet(list: ArrayLike<number>, size = list.length): SlotSet {
  let bits: Uint32Array | undefined;
  return {
    size,
    list: () => list,
    bits: () => (bits ??= bitsetOf(list)),
  };
}

/** A set given by its bitset; its slot list built when first asked. */
function bitSet(bits: Uint32Array, size: number): SlotSet {
  let list: Int32Array | undefined;
  return { size, list: () => (list ??= slotsOfBits(bits)), bits: () => bits };
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
  sets: SlotSet[];
  /** True when the sets say everything the condition says. */
  exact: boolean;
}

/** `enclosing`: the field predicates of the conjunction the condition is part of (see branchRange). */
type Enclosing = () => Map<string, FieldPredicate>;

function answerConjunct(collection: Collection, { field, condition }: Conjunct, enclosing: Enclosing): Answer | undefined {
  if (field === '$or') return answerDisjunction(collection, condition, enclosing);
  if (field.startsWith('$')) return undefined;
  const index = field === '_id' ? undefined : singleFieldIndex(collection, field);
  if (field !== '_id' && !index) return undefined;
  const equalities = equalityGroups(condition);
  if (!equalities) return undefined;
  const values = equalities.groups.flat();
  if (index?.sparse && values.some((value) => value === null)) return undefined;
  const sets = equalities.groups.map((group) => (index ? indexSlotSet(collection, index, group) : idSlotSet(collection, group)));
  // Null also matches missing fields but not empty arrays, dotted paths cross arrays of
  // documents, and Decimal128 keys are approximated by doubles: those keep the exact filter.
  const exact =
    equalities.complete && !field.includes('.') && values.every((value) => value !== null && value !== undefined && !(value instanceof Decimal128));
  return { sets, exact };
}

/**
 * An `$or` inside a conjunction (a search's synonym alternatives, or its tier: term sets or recent
 * dates): the union of its branches' sets when every branch has index sets (the intersection of
 * its equality sets, else an index range: branchRange); exact when every branch was answered exactly.
 */
function answerDisjunction(collection: Collection, condition: unknown, enclosing: Enclosing): Answer | undefined {
  if (!Array.isArray(condition) || condition.length === 0 || !condition.every(isPlainObject)) return undefined;
  const branches: SlotSet[] = [];
  let exact = true;
  for (const branch of condition as Document[]) {
    const sets: SlotSet[] = [];
    let branchExact = true;
    for (const conjunct of conjunctsOf(branch)) {
      const answer = answerConjunct(collection, conjunct, enclosing);
      if (answer) sets.push(...answer.sets);
      if (!answer?.exact) branchExact = false;
    }
    if (sets.length === 0) {
      const ranged = branchRange(collection, branch, enclosing());
      if (!ranged) return undefined;
      sets.push(ranged.set);
      branchExact = ranged.exact;
    }
    exact &&= branchExact;
    branches.push(intersection(sets));
  }
  return { sets: [union(collection, branches)], exact };
}

/**
 * A branch of an `$or` without equality sets (`{publishedAt: {$gte: D}}`): the documents of the
 * index range holding the fewest entries among those reading a field of the branch, with the
 * enclosing conjunction's equalities on the fields before it (`{status, confidentiality,
 * updatedAt}` for `{updatedAt: {$gte: D}}` inside `{status: …, confidentiality: …, $or: […]}`): a
 * document matching the filter through this branch holds both. Exact when the branch is one range
 * of dates on a top-level field of a single-valued index whose prefix equalities are exact ones:
 * then every document in the range satisfies the branch, as MongoDB compares dates (only dates are
 * in a range of dates).
 */
function branchRange(collection: Collection, branch: Document, enclosing: Map<string, FieldPredicate>): { set: SlotSet; exact: boolean } | undefined {
  const own = collectPredicates(branch);
  if (own.size === 0) return undefined;
  const predicates = new Map(enclosing);
  for (const [field, predicate] of own) predicates.set(field, predicate);
  let best: { index: Index; scan: IndexScan; count: number } | undefined;
  // A range holding more than a scan would read is not worth its ids (as in conjunctionPlan).
  const most = Math.floor(collection.docs.size / SCAN_SHARE) + 1;
  for (const index of collection.indexes.values()) {
    if (index.isPartial) continue;
    const scan = indexScan(index, predicates);
    if (!scan || !scan.fields.some((field) => own.has(field))) continue;
    const count = scanCount(collection, index, scan, best?.count ?? most);
    if (count !== undefined && (!best || count < best.count)) best = { index, scan, count };
  }
  if (!best) return undefined;
  const { index, scan } = best;
  const conjuncts = conjunctsOf(branch);
  const only = conjuncts.length === 1 ? conjuncts[0]! : undefined;
  const exact =
    only !== undefined &&
    !index.multikey &&
    only.field === scan.rangeField &&
    isDateRange(only.condition) &&
    scan.fields.every((field) => !field.includes('.')) &&
    scan.prefixes.every((prefix) => prefix.every((value) => value !== null && value !== undefined && !(value instanceof Decimal128)));
  return { set: listedSet(slotsOfIds(collection, scanIds(collection, index, scan))), exact };
}

/** `{$gte: date}` and the like: range operators on valid dates only, at most one bound per side (the index range keeps one). */
function isDateRange(condition: unknown): boolean {
  if (!isPlainObject(condition)) return false;
  const operators = Object.keys(condition);
  const sides = operators.map((op) => (Object.hasOwn(RANGE_OPERATORS, op) ? RANGE_OPERATORS[op as RangeOperator].side : undefined));
  return operators.length > 0 && new Set(sides).size === operators.length && operators.every((op, i) => sides[i] !== undefined && isValidDate(condition[op]));
}

/** The slots in every set; its size is that of the smallest (an upper bound). */
function intersection(sets: SlotSet[]): SlotSet {
  const [smallest, ...others] = [...sets].sort((a, b) => a.size - b.size) as [SlotSet, ...SlotSet[]];
  if (others.length === 0) return smallest;
  let list: ArrayLike<number> | undefined;
  const listed = () => (list ??= slotsInAll(smallest.list(), others));
  let bits: SlotSet | undefined;
  return { size: smallest.size, list: listed, bits: () => (bits ??= listedSet(listed())).bits() };
}

/** The slots in any set; its size is the sum (an upper bound). */
function union(collection: Collection, sets: SlotSet[]): SlotSet {
  if (sets.length === 1) return sets[0]!;
  const bits = new Uint32Array(wordsFor(collection));
  for (const set of sets) setSlotBits(bits, set.list());
  return bitSet(bits, sets.reduce((total, set) => total + set.size, 0));
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

/** The documents holding any of the values: one key's postings as the index keeps them, several united. */
function indexSlotSet(collection: Collection, index: Index, values: unknown[]): SlotSet {
  const keys: SlotSet[] = [];
  for (const value of values) {
    const postings = index.slotPostings([value], collection.slots);
    if (postings) keys.push({ size: postings.list.length, list: () => postings.list, bits: () => index.slotBits(postings), owners: postings });
  }
  return keys.length === 0 ? listedSet([]) : union(collection, keys);
}

function idSlotSet(collection: Collection, values: unknown[]): SlotSet {
  return listedSet(slotsOfIds(collection, values.map(keyOf)));
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

/** Equalities on a prefix of an index's fields (each tuple of values), then optionally a range on the next field. */
interface IndexScan {
  prefixes: unknown[][];
  range: RangeBounds | undefined;
  /** The field the range is on. */
  rangeField: string | undefined;
  /** The fields read: the prefix's, and the range's. */
  fields: string[];
}

function indexScan(index: Index, predicates: Map<string, FieldPredicate>): IndexScan | undefined {
  let prefixes: unknown[][] = [[]];
  let range: RangeBounds | undefined;
  let rangeField: string | undefined;
  const fields: string[] = [];
  for (const field of index.fields) {
    const predicate = predicates.get(field);
    if (predicate?.equals) {
      if (index.sparse && predicate.equals.some((value) => value === null)) return undefined;
      const values = predicate.equals;
      prefixes = prefixes.flatMap((prefix) => values.map((value) => [...prefix, value]));
      if (prefixes.length > MAX_TUPLES) return undefined;
      fields.push(field);
      continue;
    }
    range = predicate?.range;
    if (range) {
      rangeField = field;
      fields.push(field);
    }
    break;
  }
  if (prefixes[0]?.length === 0 && !range) return undefined;
  // On a multikey index, different elements may satisfy each bound: use only one of them.
  if (range && index.multikey && range.lower && range.upper) range = { lower: range.lower };
  return { prefixes, range, rangeField, fields };
}

/** How many entries the scan reads; undefined once it reaches `toBeat` (counting is two binary searches per prefix). */
function scanCount(collection: Collection, index: Index, scan: IndexScan, toBeat: number): number | undefined {
  const entries = () => collection.entries();
  let count = 0;
  for (const prefix of scan.prefixes) if ((count += index.countRange(prefix, scan.range, entries)) >= toBeat) return undefined;
  return count;
}

function scanIds(collection: Collection, index: Index, scan: IndexScan): string[] {
  const entries = () => collection.entries();
  return scan.prefixes.flatMap((prefix) => index.lookupRange(prefix, scan.range, entries).map((entry) => entry.id));
}

/** Scan the sorted entries between the bounds, unless that reads `toBeat` entries or more (building ids is O(range)). */
function rangePlan(collection: Collection, index: Index, predicates: Map<string, FieldPredicate>, toBeat = Infinity): string[] | undefined {
  const scan = indexScan(index, predicates);
  if (!scan || scanCount(collection, index, scan, toBeat) === undefined) return undefined;
  return scanIds(collection, index, scan);
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

/** The range operators an index range answers: which bound each sets, and whether it includes it. */
const RANGE_OPERATORS = {
  $gt: { side: 'lower', inclusive: false },
  $gte: { side: 'lower', inclusive: true },
  $lt: { side: 'upper', inclusive: false },
  $lte: { side: 'upper', inclusive: true },
} as const;
type RangeOperator = keyof typeof RANGE_OPERATORS;
const RANGE_OPERATOR_NAMES = Object.keys(RANGE_OPERATORS) as RangeOperator[];

function fieldPredicate(condition: unknown): FieldPredicate | undefined {
  if (isIndexableScalar(condition)) return { equals: [condition] };
  if (!isPlainObject(condition)) return undefined;
  const operators = Object.keys(condition);
  if (operators.length === 0 || !operators.every((op) => op.startsWith('$'))) return undefined;
  if ('$eq' in condition && isIndexableScalar(condition.$eq)) return { equals: [condition.$eq] };
  if (Array.isArray(condition.$in) && condition.$in.every(isIndexableScalar)) return { equals: condition.$in };
  const range: RangeBounds = {};
  for (const op of RANGE_OPERATOR_NAMES) {
    const { side, inclusive } = RANGE_OPERATORS[op];
    const value = condition[op];
    if (value !== undefined && value !== null && isIndexableScalar(value)) range[side] = { value, inclusive };
  }
  if (range.lower && range.upper && typeRank(range.lower.value) !== typeRank(range.upper.value)) delete range.upper;
  return range.lower || range.upper ? { range } : undefined;
}
