import { update as applyModifier } from 'mingo';
import { ObjectId, type Document } from 'bson';
import { ErrorCode, commandError } from './errors.js';
import { runPipeline, viaLibrary, type CollectionResolver } from './query.js';
import { cloneDoc, isPlainObject, keyOf, setPath, withIdFirst, type Doc } from './values.js';

/** An update as the `update` and `findAndModify` commands carry it. */
export type UpdateSpec = Document | Document[];

export interface UpdateContext {
  arrayFilters?: Document[];
  /** The statement's filter, so that the positional `$` operator can find its element. */
  query?: Document;
  /** True when the update builds a new document (upsert): `$setOnInsert` then applies. */
  inserting?: boolean;
  resolve: CollectionResolver;
  variables?: Document;
}

export type UpdateKind = 'pipeline' | 'operators' | 'replacement';

export function updateKind(spec: UpdateSpec): UpdateKind {
  if (Array.isArray(spec)) return 'pipeline';
  if (!isPlainObject(spec)) throw commandError(ErrorCode.FailedToParse, '更新必须是文档或管道 / update must be a document or a pipeline');
  const keys = Object.keys(spec);
  const operators = keys.filter((key) => key.startsWith('$')).length;
  if (operators === 0) return 'replacement';
  if (operators !== keys.length) {
    throw commandError(ErrorCode.FailedToParse, `更新中不能混用操作符与字段 / Unknown modifier: mixing operators and fields in '${keys.join(', ')}'`);
  }
  return 'operators';
}

/**
 * The document after the update, or the same object when nothing changed. Stored documents
 * are never modified: operator updates work on a copy.
 */
export function applyUpdate(doc: Doc, spec: UpdateSpec, context: UpdateContext): Doc {
  const kind = updateKind(spec);
  let next: Doc;
  if (kind === 'pipeline') {
    next = runPipeline([doc], spec as Document[], context.resolve, context.variables)[0] ?? {};
    // A pipeline that drops _id (e.g. $replaceRoot) keeps the document's own, as MongoDB does.
    if ('_id' in doc && !('_id' in next)) next = withIdFirst(next, doc._id);
  } else if (kind === 'replacement') {
    next = withIdFirst(spec as Document, (spec as Document)._id ?? doc._id);
    if (!('_id' in doc)) delete next._id;
  } else {
    const modifier = modifierFor(spec as Document, context.inserting === true);
    if (Object.keys(modifier).length === 0) return doc;
    next = cloneDoc(doc);
    const changed = viaLibrary(() => applyModifier(next, modifier, context.arrayFilters, context.query ?? {}));
    if (changed.length === 0) return doc;
  }
  if ('_id' in doc && keyOf(next._id) !== keyOf(doc._id)) {
    throw commandError(
      ErrorCode.ImmutableField,
      `不能修改 _id / Performing an update on the path '_id' would modify the immutable field '_id'`,
    );
  }
  if ('_id' in next) next = withIdFirst(next, next._id);
  return keyOf(next) === keyOf(doc) ? doc : next;
}

/** `$setOnInsert` is mingo-unknown: it becomes `$set` when inserting and is dropped otherwise. */
function modifierFor(spec: Document, inserting: boolean): Document {
  const { $setOnInsert, ...rest } = spec;
  if (!inserting || !isPlainObject($setOnInsert)) return rest;
  return { ...rest, $set: { ...(isPlainObject(rest.$set) ? rest.$set : {}), ...$setOnInsert } };
}

/** The document an upsert inserts: the filter's equality fields, then the update, `_id` first. */
export function buildUpsertDocument(filter: Document, spec: UpdateSpec, context: UpdateContext): Doc {
  const kind = updateKind(spec);
  const seed = equalityFields(filter);
  let doc: Doc;
  if (kind === 'replacement') {
    doc = { ...(spec as Document) };
    if (!('_id' in doc) && '_id' in seed) doc._id = seed._id;
  } else {
    // The filter (kept for positional updates) must not gate the update of the new document.
    doc = applyUpdate(seed, spec, { ...context, query: undefined, inserting: true });
    if (doc === seed) doc = cloneDoc(seed);
  }
  // A null _id (from the filter or the update) is kept: only a missing one is generated.
  return withIdFirst(doc, doc._id === undefined ? new ObjectId() : doc._id);
}

/** Fields a filter pins to one value (`{a: 1}`, `{a: {$eq: 1}}`, inside `$and`). */
export function equalityFields(filter: Document, into: Doc = {}): Doc {
  for (const [field, condition] of Object.entries(filter)) {
    if (field === '$and' && Array.isArray(condition)) {
      for (const member of condition) if (isPlainObject(member)) equalityFields(member, into);
      continue;
    }
    if (field.startsWith('$') || condition instanceof RegExp) continue;
    if (isPlainObject(condition) && Object.keys(condition).some((key) => key.startsWith('$'))) {
      if ('$eq' in condition) setPath(into, field, cloneDoc(condition.$eq));
      continue;
    }
    setPath(into, field, cloneDoc(condition));
  }
  return into;
}
