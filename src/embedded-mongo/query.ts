import { Aggregator, Context, ProcessingMode, Query, find } from 'mingo';
import * as queryOperators from 'mingo/operators/query';
import { Query as QueryCore } from 'mingo/query';
import type { CollationSpec } from 'mingo/types';
import type { Document } from 'bson';
import { ErrorCode, commandError, fromLibraryError } from './errors.js';
import { cloneDoc, isPlainObject, type Doc } from './values.js';

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
  const query = viaLibrary(() =>
    needsFullContext(filter) ? new Query(filter, BASE_OPTIONS) : new QueryCore(filter, { ...BASE_OPTIONS, context: QUERY_ONLY_CONTEXT }),
  );
  return (doc) => viaLibrary(() => query.test(doc));
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
  if (isEmpty(sort) && isEmpty(projection)) {
    const end = limit > 0 ? skip + limit : undefined;
    return skip === 0 && end === undefined ? docs : docs.slice(skip, end);
  }
  return viaLibrary(() => {
    // The filter is passed again only so that a positional projection (`a.$`) can resolve.
    let cursor = find(docs, projection && hasPositional(projection) ? (filter ?? {}) : {}, projection ?? {}, { ...BASE_OPTIONS, collation: collation as CollationSpec | undefined });
    if (!isEmpty(sort)) cursor = cursor.sort(sort as Record<string, 1 | -1>);
    if (skip > 0) cursor = cursor.skip(skip);
    if (limit > 0) cursor = cursor.limit(limit);
    return cursor.all() as Doc[];
  });
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
