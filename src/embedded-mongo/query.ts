import { Aggregator, Context, ProcessingMode, Query, find } from 'mingo';
import * as queryOperators from 'mingo/operators/query';
import { Query as QueryCore } from 'mingo/query';
import type { CollationSpec } from 'mingo/types';
import { ObjectId, type Document } from 'bson';
import { ErrorCode, commandError, fromLibraryError } from './errors.js';
import { cloneDoc, collectPathValues, isPlainObject, isValidDate, type Doc } from './values.js';

/** Options shared by every mingo call: no server-side JavaScript, MongoDB's `_id`. */
const BASE_OPTIONS = { idKey: '_id', scriptEnabled: false } as const;

/** Runs a library call, turning its errors into MongoDB errors that name the operator. */
export function viaLibrary<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw fromLibraryError(error);
  }
}

export type Matcher = (doc: Doc) => boolean;

/**
 * mingo copies its operator context for every query it compiles; a context holding only the
 * query operators costs a fraction of the full one. Filters using aggregation expressions
 * (`$expr`, `$jsonSchema`, `$where`) get the full context.
 */
const QUERY_ONLY_CONTEXT = Context.init({ query: queryOperators });
const NEEDS_FULL_CONTEXT = new Set(['$expr', '$jsonSchema', '$where']);

function needsFullContext(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(needsFullContext);
  if (!isPlainObject(value)) return false;
  return Object.entries(value).some(([key, inner]) => NEEDS_FULL_CONTEXT.has(key) || needsFullContext(inner));
}

export function compileFilter(filter: Document | undefined): Matcher {
  if (!filter || Object.keys(filter).length === 0) return () => true;
  if (!isPlainObject(filter)) {
    throw commandError(ErrorCode.TypeMismatch, '过滤条件必须是文档 / filter must be a document');
  }
  const simple = simpleMatcher(filter);
  if (simple) return simple;
  const query = viaLibrary(() =>
    needsFullContext(filter) ? new Query(filter, BASE_OPTIONS) : new QueryCore(filter, { ...BASE_OPTIONS, context: QUERY_ONLY_CONTEXT }),
  );
  return (doc) => viaLibrary(() => query.test(doc));
}

/** Whether the filter is checked natively (no mingo): cheap enough per document to scan a collection with. */
export function hasNativeMatcher(filter: Document): boolean {
  return simpleMatcher(filter) !== undefined;
}

/**
 * Values whose MongoDB equality is plain equality: strings and booleans (`===`) and ObjectIds
 * (by their hex).
 */
type Literal = string | boolean | ObjectId;

function isLiteral(value: unknown): value is Literal {
  return typeof value === 'string' || typeof value === 'boolean' || value instanceof ObjectId;
}

/** Whether a value equals one of the literals; a string never equals an ObjectId. */
function oneOf(literals: readonly Literal[]): (value: unknown) => boolean {
  const plain = new Set<unknown>();
  const objectIds = new Set<string>();
  for (const literal of literals) {
    if (literal instanceof ObjectId) objectIds.add(literal.toHexString());
    else plain.add(literal);
  }
  return (value) => (value instanceof ObjectId ? objectIds.has(value.toHexString()) : plain.has(value));
}

/**
 * A native matcher for the filters the index planner leaves behind most often: equality,
 * `$eq`, `$in` and `$all` with strings, booleans and ObjectIds, and date ranges, on fields and
 * dotted paths (through arrays of documents, as MongoDB reads them), combined with `$and`/`$or`. Anything
 * else (numbers, nulls, other operators) is left to mingo, whose per-document cost is what
 * this avoids.
 */
function simpleMatcher(filter: Document): Matcher | undefined {
  const parts: Matcher[] = [];
  for (const [field, condition] of Object.entries(filter)) {
    const part = field.startsWith('$') ? simpleLogical(field, condition) : simpleCondition(field, condition);
    if (!part) return undefined;
    parts.push(part);
  }
  if (parts.length === 1) return parts[0];
  return (doc) => {
    for (const part of parts) if (!part(doc)) return false;
    return true;
  };
}

function simpleLogical(operator: string, members: unknown): Matcher | undefined {
  if ((operator !== '$and' && operator !== '$or') || !Array.isArray(members) || members.length === 0) return undefined;
  const matchers: Matcher[] = [];
  for (const member of members) {
    const matcher = isPlainObject(member) && Object.keys(member).length > 0 ? simpleMatcher(member) : undefined;
    if (!matcher) return undefined;
    matchers.push(matcher);
  }
  return operator === '$and' ? (doc) => matchers.every((m) => m(doc)) : (doc) => matchers.some((m) => m(doc));
}

const isPlainLiteral = (value: unknown): value is string | boolean => typeof value === 'string' || typeof value === 'boolean';

/**
 * The commonest residuals and scan filters (a visibility filter's `status: 'PUBLISHED'`, a
 * report's `kind: {$in: [...]}`), checked for every candidate or stored document: strings and
 * booleans that are the top-level field's value or an element of it, read directly (no array
 * per document). Such literals equal nothing else (no ObjectId, number or null among them).
 */
function directMatcher(field: string, condition: unknown): Matcher | undefined {
  const literals = plainLiterals(condition);
  if (!literals) return undefined;
  if (literals.length === 1) {
    const only = literals[0];
    return (doc) => {
      const value: unknown = doc[field];
      return value === only || (Array.isArray(value) && value.includes(only));
    };
  }
  const set = new Set<unknown>(literals);
  return (doc) => {
    const value: unknown = doc[field];
    if (!Array.isArray(value)) return set.has(value);
    for (const element of value) if (set.has(element)) return true;
    return false;
  };
}

/** The values a condition's field must equal one of, when it is a string/boolean equality or `$in` of them. */
function plainLiterals(condition: unknown): unknown[] | undefined {
  if (isPlainLiteral(condition)) return [condition];
  if (!isPlainObject(condition) || Object.keys(condition).length !== 1) return undefined;
  if ('$eq' in condition) return isPlainLiteral(condition.$eq) ? [condition.$eq] : undefined;
  const values: unknown = condition.$in;
  return Array.isArray(values) && values.every(isPlainLiteral) ? values : undefined;
}

/**
 * Range operators against a date (a recency window): they match dates only, as MongoDB compares
 * values of the same type (a string, number or timestamp is never within a date range).
 */
const DATE_RANGE = {
  $gt: (value: number, bound: number) => value > bound,
  $gte: (value: number, bound: number) => value >= bound,
  $lt: (value: number, bound: number) => value < bound,
  $lte: (value: number, bound: number) => value <= bound,
} as const;

function simpleCondition(field: string, condition: unknown): Matcher | undefined {
  if (field === '' || field.split('.').some((part) => part === '')) return undefined;
  const direct = field.includes('.') ? undefined : directMatcher(field, condition);
  if (direct) return direct;
  const tests: ((values: unknown[]) => boolean)[] = [];
  const anyOf = (literals: readonly Literal[]) => {
    const member = oneOf(literals);
    return (values: unknown[]) => values.some(member);
  };
  if (isLiteral(condition)) tests.push(anyOf([condition]));
  else if (!isPlainObject(condition)) return undefined;
  else {
    for (const [op, operand] of Object.entries(condition)) {
      if (op === '$eq' && isLiteral(operand)) tests.push(anyOf([operand]));
      else if (op === '$in' && Array.isArray(operand) && operand.every(isLiteral)) tests.push(anyOf(operand));
      else if (op === '$all' && Array.isArray(operand) && operand.length > 0 && operand.every(isLiteral)) {
        const each = operand.map((literal: Literal) => anyOf([literal]));
        tests.push((values) => each.every((test) => test(values)));
      } else if (isValidDate(operand) && Object.hasOwn(DATE_RANGE, op)) {
        const within = DATE_RANGE[op as keyof typeof DATE_RANGE];
        const bound = operand.getTime();
        tests.push((values) => values.some((value) => value instanceof Date && within(value.getTime(), bound)));
      } else return undefined;
    }
  }
  if (tests.length === 0) return undefined;
  // What the path reaches, an array's elements in place of the array (one level, as MongoDB).
  const parts = field.split('.');
  const read =
    parts.length === 1
      ? (doc: Doc): unknown[] => {
          const value: unknown = doc[field];
          return Array.isArray(value) ? value : [value];
        }
      : (doc: Doc): unknown[] => {
          const values: unknown[] = [];
          collectPathValues(doc, parts, 0, values);
          return values;
        };
  return (doc) => {
    const values = read(doc);
    return tests.every((test) => test(values));
  };
}

export interface ShapeOptions {
  sort?: Document;
  skip?: number;
  limit?: number;
  projection?: Document;
  /** Orders strings by this collation (see `sortCollation`) instead of by code point. */
  collation?: Document;
}

function isEmpty(value: Document | undefined): boolean {
  return !value || Object.keys(value).length === 0;
}

/** Sort, skip, limit and project documents that already match the filter. */
export function shapeResults(docs: Doc[], options: ShapeOptions, filter?: Document): Doc[] {
  const { sort, skip = 0, limit = 0, projection, collation } = options;
  const fields = projection ? topLevelProjection(projection) : undefined;
  if (fields) return shapeResults(docs, { sort, skip, limit, collation }).map((doc) => project(doc, fields));
  if (isEmpty(sort) && isEmpty(projection)) {
    const end = limit > 0 ? skip + limit : undefined;
    return skip === 0 && end === undefined ? docs : docs.slice(skip, end);
  }
  if (projection && !isEmpty(projection)) {
    // Sorted on the stored fields first, as MongoDB sorts before it projects; projected one to one.
    const shaped = shapeResults(docs, { sort, skip, limit, collation });
    // The filter is passed again only so that a positional projection (`a.$`) can resolve.
    const projected = viaLibrary(
      () => find(shaped, hasPositional(projection) ? (filter ?? {}) : {}, projection, { ...BASE_OPTIONS, collation: collation as CollationSpec | undefined }).all() as Doc[],
    );
    const computed = computedFields(projection);
    return projected.map((doc, index) => inProjectionOrder(doc, shaped[index]!, computed));
  }
  return viaLibrary(() => {
    let cursor = find(docs, {}, {}, { ...BASE_OPTIONS, collation: collation as CollationSpec | undefined });
    if (!isEmpty(sort)) cursor = cursor.sort(sort as Record<string, 1 | -1>);
    if (skip > 0) cursor = cursor.skip(skip);
    if (limit > 0) cursor = cursor.limit(limit);
    return cursor.all() as Doc[];
  });
}

/** Top-level fields a projection computes (an expression, a literal), in the projection's order. */
function computedFields(projection: Document): Set<string> {
  const computed = new Set<string>();
  for (const [path, value] of Object.entries(projection)) {
    const head = path.split('.')[0]!;
    if (head !== '_id' && computesValue(value)) computed.add(head);
  }
  return computed;
}

/** Anything but an inclusion flag, a nested spec of them, or find's `$slice` / `$elemMatch` (which trim a stored field). */
function computesValue(value: unknown): boolean {
  if (typeof value === 'number' || typeof value === 'boolean') return false;
  if (!isPlainObject(value)) return true;
  const keys = Object.keys(value);
  if (keys.some((key) => key.startsWith('$'))) return !keys.every((key) => key === '$slice' || key === '$elemMatch');
  return keys.some((key) => computesValue(value[key]));
}

/**
 * MongoDB's field order for a projected document: `_id`, then the kept fields in the stored
 * document's order, then the computed ones in the projection's order (mingo puts `_id` last).
 */
function inProjectionOrder(projected: Doc, stored: Doc, computed: ReadonlySet<string>): Doc {
  const ordered: Doc = {};
  if (Object.hasOwn(projected, '_id')) ordered._id = projected._id;
  for (const key of Object.keys(stored)) {
    if (key !== '_id' && !computed.has(key) && Object.hasOwn(projected, key)) ordered[key] = projected[key];
  }
  for (const key of computed) if (Object.hasOwn(projected, key)) ordered[key] = projected[key];
  for (const key of Object.keys(projected)) if (!Object.hasOwn(ordered, key)) ordered[key] = projected[key];
  return ordered;
}

/** A projection that only includes or only excludes top-level fields (`_id` either way). */
interface TopLevelProjection {
  include: boolean;
  fields: ReadonlySet<string>;
  withId: boolean;
}

function topLevelProjection(projection: Document): TopLevelProjection | undefined {
  const entries = Object.entries(projection);
  if (entries.length === 0) return undefined;
  let include: boolean | undefined;
  let withId = true;
  const fields = new Set<string>();
  for (const [field, value] of entries) {
    if (field.includes('.') || field.startsWith('$') || field === '') return undefined;
    const included = value === 1 || value === true ? true : value === 0 || value === false ? false : undefined;
    if (included === undefined) return undefined;
    if (field === '_id') {
      withId = included;
      continue;
    }
    if (include !== undefined && include !== included) return undefined;
    include = included;
    fields.add(field);
  }
  // `{_id: 1}` alone keeps only `_id`; `{_id: 0}` alone keeps everything else.
  return { include: include ?? withId, fields, withId };
}

/**
 * Copies the projected fields in the document's own order (as MongoDB does). Values are
 * shared, not copied: stored documents are never mutated.
 */
function project(doc: Doc, { include, fields, withId }: TopLevelProjection): Doc {
  const out: Doc = {};
  for (const key of Object.keys(doc)) {
    if (key === '_id' ? withId : fields.has(key) === include) out[key] = doc[key];
  }
  return out;
}

function hasPositional(projection: Document): boolean {
  return Object.keys(projection).some((key) => key.endsWith('.$'));
}

/** Stages that never modify the documents they receive, so stored documents need no copy. */
const READ_ONLY_STAGES = new Set(['$match', '$sort', '$limit', '$skip', '$group', '$count', '$sortByCount', '$bucket', '$bucketAuto', '$project']);

export type CollectionResolver = (name: string) => Doc[];

/** Runs an aggregation pipeline with `$lookup`/`$unionWith`/`$graphLookup` resolved through `resolve`. */
export function runPipeline(docs: Doc[], pipeline: Document[], resolve: CollectionResolver, variables?: Document): Doc[] {
  const readOnly = pipeline.every((stage) => READ_ONLY_STAGES.has(Object.keys(stage)[0] ?? ''));
  return viaLibrary(() => {
    const aggregator = new Aggregator(pipeline, {
      ...BASE_OPTIONS,
      processingMode: readOnly ? ProcessingMode.CLONE_OFF : ProcessingMode.CLONE_INPUT,
      collectionResolver: (name: string) => (readOnly ? resolve(name) : resolve(name).map(cloneDoc)),
      variables,
    });
    return aggregator.run(docs) as Doc[];
  });
}
