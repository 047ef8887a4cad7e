import type { Document } from 'bson';
import { isPlainObject, type Doc } from '../values.js';
import { projector } from './generated.js';

/**
 * Dependency tracking, as MongoDB's optimizer does it: when every branch of a pipeline ends in a
 * `$group` or `$count`, the result depends only on the top-level fields its stages name, so the
 * input documents are cut down to those fields first. Later stages then copy small documents
 * instead of whole resources. Any stage that could read the whole document (`$$ROOT`, a stage
 * outside the list below) turns this off. Over-counting fields is harmless; missing one is not:
 * filters count every field-like key, expressions every `$field` string.
 */

const ROW_STAGES = new Set(['$match', '$addFields', '$set', '$project', '$unwind', '$lookup', '$sort', '$limit', '$skip']);
const BARRIERS = new Set(['$group', '$count']);

class WholeDocument extends Error {}

/** Filters name fields by key; expressions only by `$field` strings (their keys are operator arguments or output names). */
function collect(value: unknown, fields: Set<string>, keysAreFields = true): void {
  if (typeof value === 'string') {
    if (value === '$$ROOT' || value === '$$CURRENT' || value.startsWith('$$ROOT.') || value.startsWith('$$CURRENT.')) throw new WholeDocument();
    if (value.startsWith('$') && !value.startsWith('$$')) fields.add(value.slice(1).split('.')[0]!);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collect(item, fields, keysAreFields);
    return;
  }
  if (!isPlainObject(value)) return;
  for (const key of Object.keys(value)) {
    if (key === '$where' || key === '$function' || key === '$accumulator') throw new WholeDocument();
    if (keysAreFields && !key.startsWith('$')) fields.add(key.split('.')[0]!);
    collect(value[key], fields, keysAreFields);
  }
}

const head = (path: string): string => path.split('.')[0]!;

/** Adds the fields one stage reads (its output names are not reads). */
function readsOf(name: string, spec: unknown, fields: Set<string>): void {
  switch (name) {
    case '$match':
      collect(spec, fields);
      return;
    case '$sort':
      if (!isPlainObject(spec)) throw new WholeDocument();
      for (const key of Object.keys(spec)) fields.add(head(key));
      return;
    case '$project':
      if (!isPlainObject(spec)) throw new WholeDocument();
      for (const [key, value] of Object.entries(spec)) {
        if (value === true || (typeof value === 'number' && value !== 0)) fields.add(head(key));
        else if (value !== false && value !== 0) collect(value, fields, false);
      }
      return;
    case '$lookup':
      if (!isPlainObject(spec) || typeof spec.localField !== 'string' || spec.pipeline !== undefined || spec.let !== undefined) throw new WholeDocument();
      fields.add(head(spec.localField));
      return;
    case '$limit':
    case '$skip':
    case '$count':
      return;
    default:
      // $addFields/$set, $group, $unwind: only expressions read, their keys are outputs.
      collect(spec, fields, false);
  }
}

/** Adds the fields a pipeline reads up to its barrier; false when some branch has no barrier. */
function walk(stages: Document[], fields: Set<string>): boolean {
  for (const stage of stages) {
    const name = Object.keys(stage)[0] ?? '';
    const spec: unknown = stage[name];
    if (Object.keys(stage).length !== 1) throw new WholeDocument();
    if (name === '$facet') {
      if (!isPlainObject(spec)) throw new WholeDocument();
      return Object.values(spec).every((branch) => Array.isArray(branch) && walk(branch as Document[], fields));
    }
    if (!BARRIERS.has(name) && !ROW_STAGES.has(name)) throw new WholeDocument();
    readsOf(name, spec, fields);
    if (BARRIERS.has(name)) return true;
  }
  return false;
}

/** The top-level fields an expression reads, or undefined when it may read the whole document. */
export function expressionFields(expr: unknown): Set<string> | undefined {
  const fields = new Set<string>();
  try {
    collect(expr, fields, false);
    return fields;
  } catch (error) {
    if (error instanceof WholeDocument) return undefined;
    throw error;
  }
}

/** The top-level fields the pipeline's result depends on, or undefined when it may need whole documents. */
export function fieldsRead(stages: Document[]): Set<string> | undefined {
  const fields = new Set<string>();
  try {
    return walk(stages, fields) ? fields : undefined;
  } catch (error) {
    if (error instanceof WholeDocument) return undefined;
    throw error;
  }
}

/**
 * A copier of the given fields: a fresh document holding just those. The pipeline is pushed each
 * copy as it is made, so a copy lives only while its rows are in flight, not for the whole run: a
 * copy of every input made up front survived the young generation's collections and was promoted.
 */
export function narrower(fields: Set<string>): (doc: Doc) => Doc {
  const copy = projector([...fields].map((name) => ({ name })));
  // The copy reads no variables: one empty scope serves every document.
  const vars = {};
  return (doc) => copy(doc, vars);
}
