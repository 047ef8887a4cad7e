import {
  Binary,
  BSONRegExp,
  BSONSymbol,
  Code,
  Decimal128,
  Double,
  EJSON,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
} from 'bson';

/** What the matcher needs from the entity map to evaluate `$$matchesEntity` and `$$sessionLsid`. */
export interface MatchEntities {
  entity(id: string): unknown;
  sessionLsid(id: string): unknown;
}

/**
 * The unified test format's "Evaluating Matches" rules. `root` marks a root-level document (or
 * an array of them, such as a find result): only there may the actual value carry extra fields.
 * Returns null on a match, otherwise where and why the first mismatch happened.
 */
export function matchValue(
  expected: unknown,
  actual: unknown,
  entities: MatchEntities,
  root: boolean,
  path = '$',
): string | null {
  const operator = specialOperator(expected);
  if (operator) return matchOperator(operator.name, operator.arg, actual, entities, root, path);
  if (Array.isArray(expected)) return matchArray(expected, actual, entities, root, path);
  if (isDocument(expected)) return matchDocument(expected, actual, entities, root, path);
  return matchScalar(expected, actual, path);
}

/** A JS object that is a document, not a BSON scalar wrapper, Date, RegExp or byte array. */
export function isDocument(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  if (value instanceof Date || value instanceof RegExp || value instanceof Uint8Array) return false;
  return !('_bsontype' in value) || value._bsontype === 'DBRef';
}

function specialOperator(value: unknown): { name: string; arg: unknown } | null {
  if (!isDocument(value)) return null;
  const keys = Object.keys(value);
  const [name] = keys;
  if (keys.length !== 1 || name === undefined || !name.startsWith('$$')) return null;
  return { name, arg: value[name] };
}

function matchArray(
  expected: unknown[],
  actual: unknown,
  entities: MatchEntities,
  root: boolean,
  path: string,
): string | null {
  if (!Array.isArray(actual)) return `${path}: expected an array, got ${describe(actual)}`;
  if (actual.length !== expected.length) {
    return `${path}: expected ${expected.length} elements, got ${actual.length}: ${describe(actual)}`;
  }
  for (const [i, item] of expected.entries()) {
    const mismatch = matchValue(item, actual[i], entities, root, `${path}[${i}]`);
    if (mismatch) return mismatch;
  }
  return null;
}

function matchDocument(
  expected: Record<string, unknown>,
  actual: unknown,
  entities: MatchEntities,
  root: boolean,
  path: string,
): string | null {
  if (!isDocument(actual)) return `${path}: expected a document, got ${describe(actual)}`;
  for (const [key, expectedField] of Object.entries(expected)) {
    const fieldPath = `${path}.${key}`;
    const actualField = actual[key];
    const operator = specialOperator(expectedField);
    if (operator?.name === '$$exists') {
      if ((actualField !== undefined) !== operator.arg) {
        return `${fieldPath}: expected the field to ${operator.arg ? 'exist' : 'be absent'}, got ${describe(actualField)}`;
      }
      continue;
    }
    if (operator?.name === '$$unsetOrMatches' && actualField === undefined) continue;
    if (actualField === undefined) return `${fieldPath}: missing, expected ${describe(expectedField)}`;
    const mismatch = matchValue(expectedField, actualField, entities, false, fieldPath);
    if (mismatch) return mismatch;
  }
  if (root) return null;
  const extra = Object.keys(actual).filter((key) => !(key in expected) && actual[key] !== undefined);
  return extra.length > 0 ? `${path}: unexpected extra field(s) ${extra.join(', ')} in ${describe(actual)}` : null;
}

function matchOperator(
  name: string,
  arg: unknown,
  actual: unknown,
  entities: MatchEntities,
  root: boolean,
  path: string,
): string | null {
  switch (name) {
    case '$$unsetOrMatches':
      return actual === undefined ? null : matchValue(arg, actual, entities, root, path);
    case '$$type': {
      const wanted = Array.isArray(arg) ? arg.map(String) : [String(arg)];
      const types = bsonTypeAliases(actual);
      return wanted.some((type) => types.includes(type))
        ? null
        : `${path}: expected type ${wanted.join('|')}, got ${types.join('|') || 'missing'} (${describe(actual)})`;
    }
    case '$$matchesEntity':
      return matchValue(entities.entity(String(arg)), actual, entities, root, path);
    case '$$sessionLsid':
      return matchValue(entities.sessionLsid(String(arg)), actual, entities, false, path);
    case '$$lte': {
      const limit = numericValue(arg);
      const value = numericValue(actual);
      if (limit === null || value === null) return `${path}: $$lte needs numbers, got ${describe(actual)}`;
      return value <= limit ? null : `${path}: expected ≤ ${limit}, got ${value}`;
    }
    case '$$exists':
      return `${path}: $$exists is only valid as a document field's value`;
    default:
      return `${path}: special operator ${name} is not supported by this runner`;
  }
}

function matchScalar(expected: unknown, actual: unknown, path: string): string | null {
  const mismatch = `${path}: expected ${describe(expected)}, got ${describe(actual)}`;
  const expectedNumber = numericValue(expected);
  if (expectedNumber !== null) return numericValue(actual) === expectedNumber ? null : mismatch;
  if (expected instanceof Decimal128) {
    return actual instanceof Decimal128 && actual.toString() === expected.toString() ? null : mismatch;
  }
  if (expected instanceof ObjectId) return actual instanceof ObjectId && actual.equals(expected) ? null : mismatch;
  if (expected instanceof Date) return actual instanceof Date && actual.getTime() === expected.getTime() ? null : mismatch;
  if (expected instanceof Binary) {
    return actual instanceof Binary &&
      actual.sub_type === expected.sub_type &&
      Buffer.from(actual.value()).equals(Buffer.from(expected.value()))
      ? null
      : mismatch;
  }
  if (expected instanceof BSONRegExp || expected instanceof RegExp) {
    return regexKey(actual) === regexKey(expected) ? null : mismatch;
  }
  if (expected !== null && typeof expected === 'object') {
    // Remaining BSON types (Timestamp, MinKey, Code…): equal when their canonical forms are.
    return actual !== null && typeof actual === 'object' && canonical(actual) === canonical(expected)
      ? null
      : mismatch;
  }
  return actual === expected ? null : mismatch;
}

/** int32, int64 and double compare by value, as the format requires; Decimal128 does not. */
function numericValue(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Int32 || value instanceof Double) return value.valueOf();
  if (value instanceof Long) return value.toNumber();
  return null;
}

function regexKey(value: unknown): string | null {
  if (value instanceof RegExp) return `${value.source}/${[...value.flags].sort().join('')}`;
  if (value instanceof BSONRegExp) return `${value.pattern}/${[...value.options].sort().join('')}`;
  return null;
}

/**
 * The `$$type` aliases a decoded value can stand for. The driver promotes int32, int64 and
 * double to JS numbers, so an integral number may have been any of the three on the wire.
 */
function bsonTypeAliases(value: unknown): string[] {
  const aliases = rawTypeAliases(value);
  const numeric = ['int', 'long', 'double', 'decimal'];
  return aliases.some((alias) => numeric.includes(alias)) ? [...aliases, 'number'] : aliases;
}

function rawTypeAliases(value: unknown): string[] {
  if (value === undefined) return [];
  if (value === null) return ['null'];
  if (typeof value === 'string') return ['string'];
  if (typeof value === 'boolean') return ['bool'];
  if (typeof value === 'bigint') return ['long'];
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return ['double'];
    return Math.abs(value) < 2 ** 31 ? ['int', 'long', 'double'] : ['long', 'double'];
  }
  if (Array.isArray(value)) return ['array'];
  if (value instanceof Date) return ['date'];
  if (value instanceof RegExp || value instanceof BSONRegExp) return ['regex'];
  if (value instanceof Int32) return ['int'];
  if (value instanceof Double) return ['double'];
  if (value instanceof Long) return ['long'];
  if (value instanceof Decimal128) return ['decimal'];
  if (value instanceof ObjectId) return ['objectId'];
  if (value instanceof Binary) return ['binData'];
  if (value instanceof Timestamp) return ['timestamp'];
  if (value instanceof MinKey) return ['minKey'];
  if (value instanceof MaxKey) return ['maxKey'];
  if (value instanceof BSONSymbol) return ['symbol'];
  if (value instanceof Code) return [value.scope ? 'javascriptWithScope' : 'javascript'];
  return isDocument(value) ? ['object'] : [];
}

function canonical(value: object): string {
  return EJSON.stringify(value, { relaxed: false });
}

/** A short, readable rendering of a value for failure messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined (missing)';
  let text: string;
  try {
    text = EJSON.stringify(value as Parameters<typeof EJSON.stringify>[0], { relaxed: true });
  } catch {
    text = String(value);
  }
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
