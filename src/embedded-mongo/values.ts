import { Binary, Decimal128, ObjectId, Timestamp, type Document } from 'bson';

/** A stored document. Stored documents are never mutated: writers replace them (copy on write). */
export type Doc = Document;

export function isPlainObject(value: unknown): value is Document {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Copies plain objects and arrays; BSON values (ObjectId, Date, Binary, …) are shared. */
export function cloneDoc<T>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneDoc) as T;
  if (isPlainObject(value)) {
    const copy: Document = {};
    for (const key of Object.keys(value)) copy[key] = cloneDoc(value[key]);
    return copy as T;
  }
  return value;
}

/** MongoDB's canonical type order, used by sorts and index range scans. */
export function typeRank(value: unknown): number {
  if (value === undefined || value === null) return 2;
  switch (typeof value) {
    case 'number':
    case 'bigint':
      return 3;
    case 'string':
      return 4;
    case 'boolean':
      return 9;
  }
  if (Array.isArray(value)) return 6;
  if (value instanceof Date) return 10;
  if (value instanceof ObjectId) return 8;
  if (value instanceof Decimal128) return 3;
  if (value instanceof Binary) return 7;
  if (value instanceof Timestamp) return 11;
  if (value instanceof RegExp) return 12;
  return 5;
}

function numeric(value: unknown): number {
  if (value instanceof Decimal128) return Number(value.toString());
  return Number(value);
}

/** Total order over BSON values, consistent with MongoDB's comparison rules. */
export function compareValues(a: unknown, b: unknown): number {
  // Fast path for the common same-type keys.
  if ((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const rankA = typeRank(a);
  const rankB = typeRank(b);
  if (rankA !== rankB) return rankA < rankB ? -1 : 1;
  switch (rankA) {
    case 2:
      return 0;
    case 3: {
      const x = numeric(a);
      const y = numeric(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case 4:
      return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    case 8:
      return Buffer.compare((a as ObjectId).id, (b as ObjectId).id);
    case 9:
      return Number(a) - Number(b);
    case 10:
      return Math.sign((a as Date).getTime() - (b as Date).getTime());
    case 6: {
      const x = a as unknown[];
      const y = b as unknown[];
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareValues(x[i], y[i]);
        if (c !== 0) return c;
      }
      return Math.sign(x.length - y.length);
    }
    default: {
      const x = keyOf(a);
      const y = keyOf(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
  }
}

/** The 12 bytes as 12 characters: unambiguous (fixed length) and cheaper than hex. */
function objectIdKey(b: Uint8Array): string {
  return String.fromCharCode(111, b[0]!, b[1]!, b[2]!, b[3]!, b[4]!, b[5]!, b[6]!, b[7]!, b[8]!, b[9]!, b[10]!, b[11]!);
}

function lengthPrefixed(tag: string, text: string): string {
  return `${tag}${text.length}:${text}`;
}

/**
 * A string that is equal for two values exactly when MongoDB's equality says they are equal
 * (1 and 1.0 alike, ObjectIds by bytes, embedded documents field by field in order).
 * Hash indexes and the `_id` map are keyed by it.
 */
export function keyOf(value: unknown): string {
  if (value === undefined || value === null) return 'z';
  switch (typeof value) {
    case 'number':
      return `n${value}`;
    case 'bigint':
      return `n${value}`;
    case 'string':
      return lengthPrefixed('s', value);
    case 'boolean':
      return value ? 'T' : 'F';
  }
  if (value instanceof ObjectId) return objectIdKey(value.id);
  if (value instanceof Date) return `d${value.getTime()}`;
  if (value instanceof Decimal128) return `n${Number(value.toString())}`;
  if (value instanceof Binary) return lengthPrefixed(`b${value.sub_type}`, Buffer.from(value.buffer).toString('base64'));
  if (value instanceof Timestamp) return `t${value.toString()}`;
  if (value instanceof RegExp) return lengthPrefixed('r', `${value.source}/${value.flags}`);
  if (Array.isArray(value)) return `[${value.map(keyOf).join('')}]`;
  if (isPlainObject(value)) {
    let text = '{';
    for (const key of Object.keys(value)) text += lengthPrefixed('', key) + keyOf(value[key]);
    return `${text}}`;
  }
  return lengthPrefixed('x', String(value));
}

/** A Date holding a time (an invalid Date compares as no date). */
export function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

/** Values that a hash or range index lookup can stand for (no regex, documents or arrays). */
export function isIndexableScalar(value: unknown): boolean {
  const rank = typeRank(value);
  return rank === 2 || rank === 3 || rank === 4 || rank === 7 || rank === 8 || rank === 9 || rank === 10 || rank === 11;
}

/**
 * Every value a dotted path reaches in a document, descending into arrays as MongoDB does;
 * array leaves contribute their elements (multikey); an empty array leaf contributes `undefined`.
 * A path reaching nothing yields no values. `multikey` reports whether an array was traversed.
 */
export function pathValues(doc: Document, path: string): { values: unknown[]; multikey: boolean } {
  const values: unknown[] = [];
  const multikey = collectPathValues(doc, path.split('.'), 0, values);
  return { values, multikey };
}

/**
 * Appends what `parts[i..]` reaches from `value` to `into` (see pathValues) and returns
 * whether an array was traversed. A plain recursive function, not a closure: index
 * maintenance calls it for every index of every written document.
 */
export function collectPathValues(value: unknown, parts: readonly string[], i: number, into: unknown[]): boolean {
  if (i === parts.length) {
    if (!Array.isArray(value)) {
      into.push(value);
      return false;
    }
    if (value.length === 0) into.push(undefined);
    for (const element of value) into.push(element);
    return true;
  }
  const part = parts[i] as string;
  if (Array.isArray(value)) {
    const position = isArrayPosition(part) ? Number(part) : -1;
    if (position >= 0 && position < value.length) collectPathValues(value[position], parts, i + 1, into);
    for (const element of value) if (isPlainObject(element)) collectPathValues(element, parts, i, into);
    return true;
  }
  if (isPlainObject(value) && part in value) return collectPathValues(value[part], parts, i + 1, into);
  return false;
}

function isArrayPosition(part: string): boolean {
  for (let i = 0; i < part.length; i++) {
    const code = part.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return part.length > 0;
}

/** Reads a dotted path without array traversal (for `_id` and upsert seeds). */
export function getPath(doc: Document, path: string): unknown {
  let value: unknown = doc;
  for (const part of path.split('.')) {
    if (!isPlainObject(value)) return undefined;
    value = value[part];
  }
  return value;
}

/** Writes a dotted path, creating intermediate documents. */
export function setPath(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let target: Document = doc;
  for (const part of parts.slice(0, -1)) {
    const next = target[part];
    if (!isPlainObject(next)) target[part] = {};
    target = target[part] as Document;
  }
  target[parts[parts.length - 1] as string] = value;
}

/** Returns the document with `_id` as its first field, as MongoDB stores it. */
export function withIdFirst(doc: Document, id: unknown): Document {
  const keys = Object.keys(doc);
  if (keys[0] === '_id' && doc._id === id) return doc;
  const ordered: Document = { _id: id };
  for (const key of keys) if (key !== '_id') ordered[key] = doc[key];
  return ordered;
}
