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
 * The index keys one document produces: their hash strings and the key tuples themselves,
 * position by position. A document may repeat a key (an array with a repeated element);
 * the hash and sorted entries tolerate that.
 */
interface DocKeys {
  hashKeys: string[];
  keyValues: unknown[][];
}

/**
 * A secondary index: a hash map from the encoded key tuple to document ids (equality, `$in`,
 * uniqueness) and an array of key tuples in key order for prefix and range scans and sorts.
 * The array is built on first use and then patched; bulk inserts before that cost nothing.
 */
export class Index {
  readonly fields: string[];
  /** One id as a bare string (the common, unique case) or a set of ids; absent for `_id`. */
  private readonly hash: Map<string, string | Set<string>> | undefined;
  private sorted: SortedEntry[] | undefined;
  /** Changes not yet merged into `sorted`, applied by binary search on the next range query. */
  private pending: Array<{ entry: SortedEntry; added: boolean }> = [];
  private readonly partial: Query | undefined;
  multikey = false;
  /** The field of a one-field index on a top-level path, which has a fast key extraction. */
  private readonly simpleField: string | undefined;
  /** Each field's path, split once. */
  private readonly paths: string[][];

  constructor(readonly definition: IndexDefinition) {
    this.fields = Object.keys(definition.key);
    const only = this.fields.length === 1 ? this.fields[0] : undefined;
    this.simpleField = only !== undefined && !only.includes('.') ? only : undefined;
    this.paths = this.fields.map((field) => field.split('.'));
    // The collection's id map already answers `_id` equality and uniqueness.
    this.hash = definition.name === '_id_' ? undefined : new Map();
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
  private keysOf(doc: Doc, withHash = this.hash !== undefined): DocKeys | undefined {
    if (this.partial && !this.partial.test(doc)) return undefined;
    if (this.paths.length === 1) return this.singleFieldKeys(doc, withHash);
    let tuples: unknown[][] = [[]];
    let anyPresent = false;
    for (const parts of this.paths) {
      const values: unknown[] = [];
      if (collectPathValues(doc, parts, 0, values)) this.multikey = true;
      if (values.length > 0) anyPresent = true;
      // A missing field is indexed as null, so `{field: null}` finds it.
      if (values.length === 0) values.push(null);
      if (values.length === 1) {
        for (const tuple of tuples) tuple.push(values[0]);
        continue;
      }
      const next: unknown[][] = [];
      for (const tuple of tuples) for (const value of values) next.push([...tuple, value]);
      tuples = next;
    }
    if (this.sparse && !anyPresent) return undefined;
    return { hashKeys: withHash ? tuples.map(tupleKey) : [], keyValues: tuples };
  }

  /** One field: the common case, without tuple joins (a one-value tuple's key is the value's). */
  private singleFieldKeys(doc: Doc, withHash: boolean): DocKeys | undefined {
    const values: unknown[] = [];
    const simple = this.simpleField === undefined ? undefined : doc[this.simpleField];
    if (simple !== undefined && (typeof simple !== 'object' || simple === null || !(Array.isArray(simple) || isPlainObject(simple)))) {
      values.push(simple);
    } else if (collectPathValues(doc, this.paths[0] as string[], 0, values)) {
      this.multikey = true;
    }
    if (values.length === 0) {
      if (this.sparse) return undefined;
      values.push(null);
    }
    const hashKeys: string[] = [];
    if (withHash) for (const value of values) hashKeys.push(keyOf(value));
    // Key tuples serve the sorted entries and uniqueness reports; most writes need neither.
    const keyValues: unknown[][] = [];
    if (!withHash || this.sorted !== undefined || this.unique) for (const value of values) keyValues.push([value]);
    return { hashKeys, keyValues };
  }

  /** The key of this document that already belongs to another document, if any. */
  findDuplicate(doc: Doc, id: string, ignore?: (otherId: string) => boolean): unknown[] | undefined {
    if (!this.unique || !this.hash) return undefined;
    const keys = this.keysOf(doc);
    if (!keys) return undefined;
    for (let i = 0; i < keys.hashKeys.length; i++) {
      const owners = this.hash.get(keys.hashKeys[i] as string);
      if (owners === undefined) continue;
      if (typeof owners === 'string') {
        if (owners !== id && !ignore?.(owners)) return keys.keyValues[i];
        continue;
      }
      for (const owner of owners) if (owner !== id && !ignore?.(owner)) return keys.keyValues[i];
    }
    return undefined;
  }

  /** Re-indexes a changed document; most updates leave the indexed fields alone and cost one key comparison. */
  replace(id: string, old: Doc, doc: Doc): void {
    if (!this.hash && !this.sorted) return;
    const before = this.keysOf(old, true);
    const after = this.keysOf(doc, true);
    if (before && after && before.hashKeys.join('\u0000') === after.hashKeys.join('\u0000')) return;
    if (before) this.removeKeys(id, before);
    if (after) this.addKeys(id, after);
  }

  add(id: string, doc: Doc): void {
    if (!this.hash && !this.sorted) return;
    const keys = this.keysOf(doc);
    if (keys) this.addKeys(id, keys);
  }

  remove(id: string, doc: Doc): void {
    if (!this.hash && !this.sorted) return;
    const keys = this.keysOf(doc);
    if (keys) this.removeKeys(id, keys);
  }

  private addKeys(id: string, keys: DocKeys): void {
    this.track(id, keys, true);
    if (!this.hash) return;
    for (const key of keys.hashKeys) {
      const owners = this.hash.get(key);
      if (owners === undefined) this.hash.set(key, id);
      else if (typeof owners === 'string') {
        if (owners !== id) this.hash.set(key, new Set([owners, id]));
      } else owners.add(id);
    }
  }

  private removeKeys(id: string, keys: DocKeys): void {
    this.track(id, keys, false);
    if (!this.hash) return;
    for (const key of keys.hashKeys) {
      const owners = this.hash.get(key);
      if (owners === id) this.hash.delete(key);
      else if (owners instanceof Set) {
        owners.delete(id);
        if (owners.size === 1) this.hash.set(key, owners.values().next().value as string);
      }
    }
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
    for (const tuple of tuples) for (const id of idsOf(this.owners(tuple))) ids.push(id);
    return ids;
  }

  /** The ids stored under one key tuple, without copying them (membership tests stay O(1)). */
  owners(tuple: unknown[]): string | Set<string> | undefined {
    return this.hash?.get(tupleKey(tuple));
  }

  /**
   * Entries whose first fields equal `prefix` and whose next field lies in `bounds` (with
   * MongoDB's type bracketing); without bounds, every entry with that prefix.
   */
  lookupRange(prefix: unknown[], bounds: RangeBounds | undefined, allDocs: () => Iterable<[string, Doc]>): SortedEntry[] {
    const sorted = this.sortedEntries(allDocs);
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
    return end > start ? sorted.slice(start, end) : [];
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

function idsOf(owners: string | Set<string> | undefined): Iterable<string> {
  if (owners === undefined) return [];
  return typeof owners === 'string' ? [owners] : owners;
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
