import { Query } from 'mingo';
import type { IndexDefinition } from './storage/types.js';
import { collectPathValues, compareValues, isPlainObject, keyOf, typeRank, type Doc } from './values.js';

export type { IndexDefinition };

/** Bounds on one index field; a missing bound is closed by the other bound's type bracket. */
export interface RangeBounds {
  lower?: { value: unknown; inclusive: boolean };
  upper?: { value: unknown; inclusive: boolean };
}

/** Above this many queued changes the sorted entries are rebuilt instead of patched. */
const MAX_PENDING = 256;

interface SortedEntry {
  key: unknown[];
  id: string;
}

/**
 * The index keys one document produces, position by position: `strings` holds the values of
 * a one-field index that are strings, which are their own hash keys (no encoding, no new
 * string: most indexed values are strings); `encoded` holds `keyOf` encodings of every other
 * key (other types, and all tuples of a compound index); `keyValues` the key tuples
 * themselves, built only when the sorted entries or a uniqueness check need them. A document
 * may repeat a key (an array with a repeated element); the hash and sorted entries tolerate that.
 */
interface DocKeys {
  strings: string[];
  encoded: string[];
  keyValues: unknown[][];
}

/** Ids stored under one key, as `owners` hands them out: one id (the common, unique case) or a set. */
type Owners = string | Set<string>;

/**
 * How a key's ids are stored: a bare id; a list while ids are only appended (a bulk load
 * pushes each id for a fraction of what adding it to a large Set costs); a set once an id is
 * removed or a caller needs membership tests (`owners`), converted once.
 */
type Postings = Owners | string[];

/** Where a document id's slot is found (the collection's Slots): slots number the stored documents from 0. */
export interface SlotSource {
  of(id: string): number | undefined;
  /** One past the highest slot. */
  readonly width: number;
}

/**
 * A key's postings as slots: ascending, each once; and as a bitset over slots once a plan
 * asks it for membership. Built from the ids on first use and kept until the key's postings
 * change (or the slots are renumbered), like the conversion of a list of ids to a set.
 */
export interface SlotPostings {
  list: Int32Array;
  bits?: Uint32Array;
}

/** Slots (and bitset words) an index keeps in slot lists before it drops them all and starts again. */
const MAX_CACHED_SLOTS = 1 << 24;

/**
 * A secondary index: a hash map from the encoded key tuple to document ids (equality, `$in`,
 * uniqueness) and an array of key tuples in key order for prefix and range scans and sorts.
 * The array is built on first use and then patched; bulk inserts before that cost nothing.
 */
export class Index {
  readonly fields: string[];
  /**
   * The hash, in two maps so that a string value needs no encoding: string values of a
   * one-field index are keys of `stringHash` as they are; every other key is in `encodedHash`
   * under its `keyOf` encoding (which a string value never meets, being in the other map).
   * Both absent for `_id`.
   */
  private readonly stringHash: Map<string, Postings> | undefined;
  private readonly encodedHash: Map<string, Postings> | undefined;
  private sorted: SortedEntry[] | undefined;
  /** Changes not yet merged into `sorted`, applied by binary search on the next range query. */
  private pending: Array<{ entry: SortedEntry; added: boolean }> = [];
  private readonly partial: Query | undefined;
  multikey = false;
  /** Each field's path, split once. */
  private readonly paths: string[][];
  /** Per field, its name when it is a top-level path, which has a fast value read. */
  private readonly topLevel: Array<string | undefined>;
  /** Slot lists of keys of `stringHash` and of `encodedHash` (see SlotPostings), and how many slots they hold. */
  private readonly stringSlots = new Map<string, SlotPostings>();
  private readonly encodedSlots = new Map<string, SlotPostings>();
  private cachedSlots = 0;

  constructor(readonly definition: IndexDefinition) {
    this.fields = Object.keys(definition.key);
    this.paths = this.fields.map((field) => field.split('.'));
    this.topLevel = this.fields.map((field) => (field.includes('.') ? undefined : field));
    // The collection's id map already answers `_id` equality and uniqueness.
    this.stringHash = definition.name === '_id_' ? undefined : new Map();
    this.encodedHash = definition.name === '_id_' ? undefined : new Map();
    this.partial = definition.partialFilterExpression ? new Query(definition.partialFilterExpression) : undefined;
  }

  get name(): string {
    return this.definition.name;
  }

  get unique(): boolean {
    return this.definition.unique === true || this.definition.name === '_id_';
  }

  get sparse(): boolean {
    return this.definition.sparse === true;
  }

  get isPartial(): boolean {
    return this.partial !== undefined;
  }

  /** Undefined when the document is not in the index (sparse and missing, or outside the partial filter). */
  private keysOf(doc: Doc, withHash = this.stringHash !== undefined): DocKeys | undefined {
    if (this.partial && !this.partial.test(doc)) return undefined;
    // Key tuples serve the sorted entries and uniqueness checks; most writes need neither.
    const withTuples = !withHash || this.sorted !== undefined || this.unique;
    return this.paths.length === 1 ? this.singleFieldKeys(doc, withHash, withTuples) : this.compoundKeys(doc, withHash, withTuples);
  }

  /**
   * Appends the values field `f` reaches in `doc`, as collectPathValues does, and notes
   * multikey. A top-level scalar or array (most indexed fields) is read without a path walk.
   */
  private fieldValues(doc: Doc, f: number, into: unknown[]): void {
    const field = this.topLevel[f];
    const value = field === undefined ? undefined : doc[field];
    if (Array.isArray(value)) {
      this.multikey = true;
      if (value.length === 0) into.push(undefined);
      for (const element of value) into.push(element);
    } else if (value !== undefined && (typeof value !== 'object' || value === null || !isPlainObject(value))) {
      into.push(value);
    } else if (collectPathValues(doc, this.paths[f] as string[], 0, into)) {
      this.multikey = true;
    }
  }

  /** One field: the common case, without tuple joins (a one-value tuple's key is the value's). */
  private singleFieldKeys(doc: Doc, withHash: boolean, withTuples: boolean): DocKeys | undefined {
    const values: unknown[] = [];
    this.fieldValues(doc, 0, values);
    if (values.length === 0) {
      if (this.sparse) return undefined;
      values.push(null);
    }
    const keys: DocKeys = { strings: [], encoded: [], keyValues: [] };
    if (withHash) {
      for (const value of values) {
        if (typeof value === 'string') keys.strings.push(value);
        else keys.encoded.push(keyOf(value));
      }
    }
    if (withTuples) for (const value of values) keys.keyValues.push([value]);
    return keys;
  }

  /**
   * Several fields: while each field has one value (no array on the way), the key is joined
   * as it is read, without building tuples; an array value switches to the cross product.
   */
  private compoundKeys(doc: Doc, withHash: boolean, withTuples: boolean): DocKeys | undefined {
    const values: unknown[] = [];
    let joined = '';
    let tuple: unknown[] | undefined = withTuples ? [] : undefined;
    let anyPresent = false;
    for (let f = 0; f < this.paths.length; f++) {
      values.length = 0;
      this.fieldValues(doc, f, values);
      if (values.length > 1) return this.crossProductKeys(doc, withHash);
      anyPresent ||= values.length === 1;
      // A missing field is indexed as null, so `{field: null}` finds it.
      const value = values.length === 1 ? values[0] : null;
      if (withHash) joined = f === 0 ? keyOf(value) : `${joined}|${keyOf(value)}`;
      tuple?.push(value);
    }
    if (this.sparse && !anyPresent) return undefined;
    return { strings: [], encoded: withHash ? [joined] : [], keyValues: tuple ? [tuple] : [] };
  }

  /** A compound key over array values: one tuple per combination, as MongoDB indexes them. */
  private crossProductKeys(doc: Doc, withHash: boolean): DocKeys | undefined {
    let tuples: unknown[][] = [[]];
    let anyPresent = false;
    for (let f = 0; f < this.paths.length; f++) {
      const values: unknown[] = [];
      this.fieldValues(doc, f, values);
      if (values.length > 0) anyPresent = true;
      if (values.length === 0) values.push(null);
      const next: unknown[][] = [];
      for (const tuple of tuples) for (const value of values) next.push([...tuple, value]);
      tuples = next;
    }
    if (this.sparse && !anyPresent) return undefined;
    return { strings: [], encoded: withHash ? tuples.map(tupleKey) : [], keyValues: tuples };
  }

  /** The key of this document that already belongs to another document, if any. */
  findDuplicate(doc: Doc, id: string, ignore?: (otherId: string) => boolean): unknown[] | undefined {
    if (!this.unique || !this.stringHash) return undefined;
    const keys = this.keysOf(doc);
    if (!keys) return undefined;
    for (const tuple of keys.keyValues) {
      const postings = this.postings(tuple);
      if (postings === undefined) continue;
      if (typeof postings === 'string') {
        if (postings !== id && !ignore?.(postings)) return tuple;
        continue;
      }
      for (const owner of postings) if (owner !== id && !ignore?.(owner)) return tuple;
    }
    return undefined;
  }

  /** Re-indexes a changed document; most updates leave the indexed fields alone and cost one key comparison. */
  replace(id: string, old: Doc, doc: Doc): void {
    if (!this.stringHash && !this.sorted) return;
    const before = this.keysOf(old, true);
    const after = this.keysOf(doc, true);
    if (before && after && sameKeys(before.strings, after.strings) && sameKeys(before.encoded, after.encoded)) return;
    if (before) this.removeKeys(id, before);
    if (after) this.addKeys(id, after);
  }

  add(id: string, doc: Doc): void {
    if (!this.stringHash && !this.sorted) return;
    const keys = this.keysOf(doc);
    if (keys) this.addKeys(id, keys);
  }

  remove(id: string, doc: Doc): void {
    if (!this.stringHash && !this.sorted) return;
    const keys = this.keysOf(doc);
    if (keys) this.removeKeys(id, keys);
  }

  private addKeys(id: string, keys: DocKeys): void {
    this.track(id, keys, true);
    if (!this.stringHash || !this.encodedHash) return;
    this.staleSlots(keys);
    for (const key of keys.strings) addOwner(this.stringHash, key, id);
    for (const key of keys.encoded) addOwner(this.encodedHash, key, id);
  }

  private removeKeys(id: string, keys: DocKeys): void {
    this.track(id, keys, false);
    if (!this.stringHash || !this.encodedHash) return;
    this.staleSlots(keys);
    for (const key of keys.strings) removeOwner(this.stringHash, key, id);
    for (const key of keys.encoded) removeOwner(this.encodedHash, key, id);
  }

  /** Drops the slot lists of keys whose postings change. */
  private staleSlots(keys: DocKeys): void {
    if (this.cachedSlots === 0) return;
    for (const key of keys.strings) this.stringSlots.delete(key);
    for (const key of keys.encoded) this.encodedSlots.delete(key);
  }

  /** Drops every slot list (the collection renumbered its slots). */
  forgetSlots(): void {
    this.stringSlots.clear();
    this.encodedSlots.clear();
    this.cachedSlots = 0;
  }

  /** The slots of the documents stored under one key tuple; undefined when none are (not for `_id`). */
  slotPostings(tuple: unknown[], slots: SlotSource): SlotPostings | undefined {
    const hash = this.hashFor(tuple);
    if (!hash) return undefined;
    const key = this.hashKey(tuple);
    const cache = hash === this.stringHash ? this.stringSlots : this.encodedSlots;
    const known = cache.get(key);
    if (known) return known;
    const postings = hash.get(key);
    if (postings === undefined) return undefined;
    // One id (a unique key's) is as cheap to look up again as to keep.
    if (typeof postings === 'string') return { list: slotList(postings, slots) };
    const built: SlotPostings = { list: slotList(postings, slots) };
    if (this.cachedSlots + built.list.length > MAX_CACHED_SLOTS) this.forgetSlots();
    cache.set(key, built);
    this.cachedSlots += built.list.length + 1;
    return built;
  }

  /** The postings as a bitset (as wide as its highest slot needs), built once per slot list. */
  slotBits(postings: SlotPostings): Uint32Array {
    if (postings.bits) return postings.bits;
    const bits = bitsetOf(postings.list);
    this.cachedSlots += bits.length;
    postings.bits = bits;
    return bits;
  }

  /** Queues a change to the sorted entries; past a few hundred, a rebuild is cheaper. */
  private track(id: string, keys: DocKeys, added: boolean): void {
    if (!this.sorted) return;
    if (this.pending.length >= MAX_PENDING) {
      this.sorted = undefined;
      this.pending = [];
      return;
    }
    for (const key of keys.keyValues) this.pending.push({ entry: { key, id }, added });
  }

  /** Ids whose full key equals one of the given tuples (not for `_id`, which the collection answers). */
  lookupTuples(tuples: unknown[][]): string[] {
    const ids: string[] = [];
    for (const tuple of tuples) {
      const postings = this.postings(tuple);
      if (postings === undefined) continue;
      if (typeof postings === 'string') ids.push(postings);
      else for (const id of postings) ids.push(id);
    }
    return ids;
  }

  /** The ids stored under one key tuple, without copying them (membership tests stay O(1)). */
  owners(tuple: unknown[]): Owners | undefined {
    const postings = this.postings(tuple);
    if (!Array.isArray(postings)) return postings;
    const owners = new Set(postings);
    this.hashFor(tuple)?.set(this.hashKey(tuple), owners);
    return owners;
  }

  private postings(tuple: unknown[]): Postings | undefined {
    return this.hashFor(tuple)?.get(this.hashKey(tuple));
  }

  /** A one-field string key lives in `stringHash` as itself, every other key in `encodedHash` (see there). */
  private hashFor(tuple: unknown[]): Map<string, Postings> | undefined {
    return tuple.length === 1 && typeof tuple[0] === 'string' ? this.stringHash : this.encodedHash;
  }

  private hashKey(tuple: unknown[]): string {
    const only = tuple.length === 1 ? tuple[0] : undefined;
    return typeof only === 'string' ? only : tupleKey(tuple);
  }

  /**
   * Entries whose first fields equal `prefix` and whose next field lies in `bounds` (with
   * MongoDB's type bracketing); without bounds, every entry with that prefix.
   */
  lookupRange(prefix: unknown[], bounds: RangeBounds | undefined, allDocs: () => Iterable<[string, Doc]>): SortedEntry[] {
    const sorted = this.sortedEntries(allDocs);
    const [start, end] = this.rangeOf(sorted, prefix, bounds);
    return end > start ? sorted.slice(start, end) : [];
  }

  /** How many entries lookupRange would return, without building them. */
  countRange(prefix: unknown[], bounds: RangeBounds | undefined, allDocs: () => Iterable<[string, Doc]>): number {
    const [start, end] = this.rangeOf(this.sortedEntries(allDocs), prefix, bounds);
    return Math.max(0, end - start);
  }

  private rangeOf(sorted: SortedEntry[], prefix: unknown[], bounds: RangeBounds | undefined): [number, number] {
    const k = prefix.length;
    const bracket = typeRank((bounds?.lower ?? bounds?.upper)?.value);
    const start = firstIndex(sorted, (e) => {
      const c = comparePrefix(e.key, prefix);
      if (c !== 0 || !bounds) return c >= 0;
      if (!bounds.lower) return typeRank(e.key[k]) >= bracket;
      const d = compareValues(e.key[k], bounds.lower.value);
      return bounds.lower.inclusive ? d >= 0 : d > 0;
    });
    const end = firstIndex(sorted, (e) => {
      const c = comparePrefix(e.key, prefix);
      if (c !== 0 || !bounds) return c > 0;
      if (!bounds.upper) return typeRank(e.key[k]) > bracket;
      const d = compareValues(e.key[k], bounds.upper.value);
      return bounds.upper.inclusive ? d > 0 : d >= 0;
    });
    return [start, end];
  }

  private sortedEntries(allDocs: () => Iterable<[string, Doc]>): SortedEntry[] {
    if (this.sorted) {
      for (const { entry, added } of this.pending) applyChange(this.sorted, entry, added);
      this.pending = [];
      return this.sorted;
    }
    const entries: SortedEntry[] = [];
    for (const [id, doc] of allDocs()) {
      const keys = this.keysOf(doc, false);
      if (!keys) continue;
      for (const key of keys.keyValues) entries.push({ key, id });
    }
    entries.sort((a, b) => compareTuples(a.key, b.key));
    this.sorted = entries;
    return entries;
  }
}

/** The hash key of a key tuple: the value's own key for one field, the fields' keys joined for several. */
function tupleKey(tuple: readonly unknown[]): string {
  return tuple.length === 1 ? keyOf(tuple[0]) : tuple.map(keyOf).join('|');
}

/**
 * Adds `id` under `key`. A document's keys are added together, so an id already in a list
 * (a document repeating a key) is its last element.
 */
function addOwner(hash: Map<string, Postings>, key: string, id: string): void {
  const postings = hash.get(key);
  if (postings === undefined) hash.set(key, id);
  else if (typeof postings === 'string') {
    if (postings !== id) hash.set(key, [postings, id]);
  } else if (Array.isArray(postings)) {
    if (postings[postings.length - 1] !== id) postings.push(id);
  } else postings.add(id);
}

/** Marks the slots in a bitset. */
export function setSlotBits(bits: Uint32Array, slots: ArrayLike<number>): void {
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i]!;
    bits[slot >>> 5]! |= 1 << (slot & 31);
  }
}

/** A sorted slot list as a bitset, as wide as its highest slot needs. */
export function bitsetOf(list: ArrayLike<number>): Uint32Array {
  const bits = new Uint32Array(list.length === 0 ? 0 : (list[list.length - 1]! >>> 5) + 1);
  setSlotBits(bits, list);
  return bits;
}

/** The slots of a key's ids, ascending. */
function slotList(postings: Postings, slots: SlotSource): Int32Array {
  if (typeof postings === 'string') {
    const slot = slots.of(postings);
    return slot === undefined ? new Int32Array(0) : Int32Array.of(slot);
  }
  const list = new Int32Array(Array.isArray(postings) ? postings.length : postings.size);
  let n = 0;
  let sorted = true;
  for (const id of postings) {
    const slot = slots.of(id);
    if (slot === undefined) continue;
    if (n > 0 && slot < list[n - 1]!) sorted = false;
    list[n++] = slot;
  }
  const used = n === list.length ? list : list.subarray(0, n);
  return sorted ? used : used.sort();
}

function removeOwner(hash: Map<string, Postings>, key: string, id: string): void {
  const postings = hash.get(key);
  if (postings === id) {
    hash.delete(key);
    return;
  }
  if (postings === undefined || typeof postings === 'string') return;
  const owners = Array.isArray(postings) ? new Set(postings) : postings;
  owners.delete(id);
  hash.set(key, owners.size === 1 ? (owners.values().next().value as string) : owners);
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function compareTuples(a: unknown[], b: unknown[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}

/** Compares a key with a prefix on the prefix's fields only. */
function comparePrefix(key: unknown[], prefix: unknown[]): number {
  for (let i = 0; i < prefix.length; i++) {
    const c = compareValues(key[i], prefix[i]);
    if (c !== 0) return c;
  }
  return 0;
}

function applyChange(sorted: SortedEntry[], entry: SortedEntry, added: boolean): void {
  if (added) {
    sorted.splice(firstIndex(sorted, (e) => compareTuples(e.key, entry.key) > 0), 0, entry);
    return;
  }
  for (let i = firstIndex(sorted, (e) => compareTuples(e.key, entry.key) >= 0); i < sorted.length; i++) {
    const candidate = sorted[i] as SortedEntry;
    if (compareTuples(candidate.key, entry.key) !== 0) return;
    if (candidate.id === entry.id) {
      sorted.splice(i, 1);
      return;
    }
  }
}

/** Binary search: the first position where `predicate` holds (predicate is monotone). */
function firstIndex<T>(items: T[], predicate: (item: T) => boolean): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (predicate(items[mid] as T)) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** Validates a createIndexes spec and fills in the default name (`a_1_b_-1`). */
export function defaultIndexName(key: Record<string, unknown>): string {
  return Object.entries(key)
    .map(([field, direction]) => `${field}_${String(direction)}`)
    .join('_');
}
