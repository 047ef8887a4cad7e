import type { Document } from 'bson';
import { compare, resolve } from 'mingo/util';
import { compileFilter } from '../query.js';
import { isPlainObject, keyOf, type Doc } from '../values.js';
import { compileAccumulator, type Accumulator } from './accumulators.js';
import { NotCompiled, compileExpression, deopt, isNil, type Fn, type Scope, type Vars } from './expressions.js';

/** What compiled stages need from the command: index probes for `$lookup`, mingo for the rest. */
export interface PipelineEnv {
  /**
   * Documents of collection `from` whose `field` equals `value` under query equality (an array
   * field matches by element; null matches null and missing), found through the indexes.
   */
  probe(from: string, field: string, value: unknown): Doc[];
  /** Runs stages through mingo. */
  mingo(docs: Doc[], stages: Document[]): Doc[];
  variables: Vars;
}

/**
 * A compiled stage. Stages never modify the documents they receive: those may be the stored
 * documents themselves. A stage that changes a document returns a shallow copy.
 */
export type Stage = (docs: Doc[]) => Doc[];

/**
 * A copy of the document with fields set (or removed, for undefined), existing fields keeping
 * their place and new ones appended. Built key by key: V8 turns a spread followed by a new key
 * into a slow dictionary object, at ~20× the cost.
 */
function copyWith(doc: Doc, names: readonly string[], values: readonly unknown[]): Doc {
  const out: Doc = {};
  for (const key in doc) {
    const at = names.indexOf(key);
    if (at === -1) out[key] = doc[key];
    else if (values[at] !== undefined) out[key] = values[at];
  }
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (values[i] !== undefined && !Object.hasOwn(doc, name)) out[name] = values[i];
  }
  return out;
}

const notCompiled = (what: string): never => {
  throw new NotCompiled(what);
};

/** A top-level field name (dotted paths and operators are left to mingo). */
function topLevelField(name: unknown): string {
  if (typeof name !== 'string' || name === '' || name.includes('.') || name.startsWith('$') || name === '__proto__') notCompiled('field name');
  return name as string;
}

const FILTER_EXPRESSION_OPERATORS = new Set(['$expr', '$where', '$jsonSchema', '$function']);

function usesExpressions(filter: unknown): boolean {
  if (Array.isArray(filter)) return filter.some(usesExpressions);
  if (!isPlainObject(filter)) return false;
  return Object.keys(filter).some((key) => FILTER_EXPRESSION_OPERATORS.has(key) || usesExpressions(filter[key]));
}

function match(spec: unknown): Stage {
  // `$expr` filters see the command's `let` variables only through mingo's aggregator.
  if (!isPlainObject(spec) || usesExpressions(spec)) notCompiled('$match');
  const test = compileFilter(spec as Document);
  return (docs) => docs.filter(test);
}

function addFields(spec: unknown, scope: Scope, vars: Vars): Stage {
  if (!isPlainObject(spec) || Object.keys(spec).length === 0) notCompiled('$addFields');
  const fields = Object.keys(spec as Doc).map((name) => {
    const expr = (spec as Doc)[name];
    // An embedded document literal merges into the field in MongoDB and replaces it in mingo.
    if (isPlainObject(expr) && !Object.keys(expr).some((key) => key.startsWith('$'))) notCompiled('$addFields document');
    return [topLevelField(name), compileExpression(expr, scope)] as const;
  });
  const names = fields.map(([name]) => name);
  const fns = fields.map(([, fn]) => fn);
  return (docs) => {
    // copyWith reads the values before the next document: one array serves all of them.
    const values: unknown[] = new Array(fns.length);
    return docs.map((doc) => {
      for (let i = 0; i < fns.length; i++) values[i] = fns[i]!(doc, vars);
      return copyWith(doc, names, values);
    });
  };
}

function project(spec: unknown, scope: Scope, vars: Vars): Stage {
  if (!isPlainObject(spec) || Object.keys(spec).length === 0) notCompiled('$project');
  const excluded: string[] = [];
  const fields: Array<{ name: string; fn?: Fn }> = [];
  for (const name of Object.keys(spec as Doc)) {
    const value: unknown = (spec as Doc)[name];
    topLevelField(name);
    if (value === 0 || value === false) excluded.push(name);
    else if (typeof value === 'number' || value === true) fields.push({ name });
    else if (Array.isArray(value) || (isPlainObject(value) && !(Object.keys(value).length === 1 && Object.keys(value)[0]!.startsWith('$')))) notCompiled('$project');
    else fields.push({ name, fn: compileExpression(value, scope) });
  }
  if (fields.length === 0) {
    const removed = excluded.map(() => undefined);
    return (docs) => docs.map((doc) => copyWith(doc, excluded, removed));
  }
  if (excluded.some((name) => name !== '_id')) notCompiled('$project mixing inclusion and exclusion');
  const keepId = excluded.length === 0 && !fields.some((field) => field.name === '_id');
  return (docs) =>
    docs.map((doc) => {
      const out: Doc = {};
      if (keepId && doc._id !== undefined) out._id = doc._id;
      for (const { name, fn } of fields) {
        const value: unknown = fn ? fn(doc, vars) : doc[name];
        if (value !== undefined) out[name] = value;
      }
      return out;
    });
}

function group(spec: unknown, scope: Scope, vars: Vars): Stage {
  if (!isPlainObject(spec) || !('_id' in spec)) notCompiled('$group');
  const id = compileExpression((spec as Doc)._id, scope);
  const outputs: Array<[string, Accumulator]> = Object.keys(spec as Doc)
    .filter((name) => name !== '_id')
    .map((name) => [topLevelField(name), compileAccumulator((spec as Doc)[name], scope)]);
  return (docs) => {
    const groups = new Map<string, { id: unknown; states: ReturnType<Accumulator['start']>[] }>();
    for (const doc of docs) {
      // A missing key groups with null, as in MongoDB.
      const value = id(doc, vars) ?? null;
      const key = keyOf(value);
      let entry = groups.get(key);
      if (!entry) {
        if (isPlainObject(value) && hasEmbeddedDocuments(value)) deopt();
        entry = { id: value, states: outputs.map(([, accumulator]) => accumulator.start()) };
        groups.set(key, entry);
      }
      for (const state of entry.states) state.add(doc, vars);
    }
    const out: Doc[] = [];
    for (const entry of groups.values()) {
      const row: Doc = { _id: entry.id };
      outputs.forEach(([name], i) => {
        row[name] = entry.states[i]!.result();
      });
      out.push(row);
    }
    return out;
  };
}

/** Keys that are documents inside documents compare field-order-blind in mingo: left to it. */
function hasEmbeddedDocuments(value: Doc): boolean {
  return Object.values(value).some((inner) => isPlainObject(inner) || (Array.isArray(inner) && inner.some(isPlainObject)));
}

function count(spec: unknown): Stage {
  if (typeof spec !== 'string' || spec.trim() === '' || spec.includes('.') || spec.startsWith('$')) notCompiled('$count');
  return (docs) => [{ [spec as string]: docs.length }];
}

/** mingo's order (`compare`), with the common same-type cases inline. */
function compareKey(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number' && !Number.isNaN(a) && !Number.isNaN(b)) return a < b ? -1 : a > b ? 1 : 0;
  return compare(a, b);
}

function sort(spec: unknown, limit: number | undefined): Stage {
  if (!isPlainObject(spec) || Object.keys(spec).length === 0) notCompiled('$sort');
  const keys = Object.keys(spec as Doc).map((path) => {
    const direction: unknown = (spec as Doc)[path];
    if ((direction !== 1 && direction !== -1) || path.startsWith('$')) notCompiled('$sort direction');
    return { path, direction: direction as number };
  });
  return (docs) => {
    const keyed = docs.map((doc) => ({
      doc,
      values: keys.map(({ path }) => {
        // A missing value sorts as null, as in MongoDB.
        const value: unknown = resolve(doc, path) ?? null;
        // mingo compares arrays element by element here: left to it.
        if (Array.isArray(value)) deopt();
        return value;
      }),
    }));
    const order = (a: (typeof keyed)[number], b: (typeof keyed)[number]): number => {
      for (let i = 0; i < keys.length; i++) {
        const c = compareKey(a.values[i], b.values[i]);
        if (c !== 0) return c * keys[i]!.direction;
      }
      return 0;
    };
    return topK(keyed, order, limit).map((entry) => entry.doc);
  };
}

/** The first `limit` items in order (stable), without sorting them all when the limit is small. */
function topK<T>(items: T[], order: (a: T, b: T) => number, limit: number | undefined): T[] {
  if (limit === undefined || limit * 8 >= items.length || limit > 1000) {
    const sorted = items.slice().sort(order);
    return limit === undefined ? sorted : sorted.slice(0, limit);
  }
  const best: T[] = [];
  for (const item of items) {
    if (best.length === limit && order(item, best[limit - 1]!) >= 0) continue;
    let low = 0;
    let high = best.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (order(item, best[mid]!) < 0) high = mid;
      else low = mid + 1;
    }
    best.splice(low, 0, item);
    if (best.length > limit) best.pop();
  }
  return best;
}

function nonNegativeInteger(spec: unknown, what: string): number {
  if (typeof spec !== 'number' || !Number.isInteger(spec) || spec < 0) notCompiled(what);
  return spec as number;
}

/** mingo's `isEmpty`, which decides whether a non-array value survives `$unwind`. */
function isEmptyValue(value: unknown): boolean {
  return isNil(value) || value === '' || (Array.isArray(value) && value.length === 0) || (isPlainObject(value) && Object.keys(value).length === 0);
}

function unwind(spec: unknown): Stage {
  const options: Doc = typeof spec === 'string' ? { path: spec } : isPlainObject(spec) ? spec : notCompiled('$unwind');
  if (Object.keys(options).some((key) => !['path', 'includeArrayIndex', 'preserveNullAndEmptyArrays'].includes(key))) notCompiled('$unwind options');
  if (typeof options.path !== 'string' || !options.path.startsWith('$')) notCompiled('$unwind path');
  const field = topLevelField((options.path as string).slice(1));
  const index = options.includeArrayIndex === undefined ? undefined : topLevelField(options.includeArrayIndex);
  const preserve = options.preserveNullAndEmptyArrays === true;
  const names = index === undefined ? [field] : [field, index];
  const unwound = (doc: Doc, element: unknown, i: number | null): Doc => copyWith(doc, names, [element, i]);
  return (docs) => {
    const out: Doc[] = [];
    for (const doc of docs) {
      const value: unknown = doc[field];
      if (Array.isArray(value)) {
        if (value.length === 0) {
          if (preserve) out.push(unwound(doc, undefined, null));
          continue;
        }
        value.forEach((element, i) => out.push(unwound(doc, element, i)));
      } else if (!isEmptyValue(value) || preserve) {
        out.push(index === undefined ? doc : unwound(doc, value, null));
      }
    }
    return out;
  };
}

/** Local values a `$lookup` probes the index with; others (documents, regexes, nested arrays) are left to mingo. */
function probeable(value: unknown): boolean {
  return !(isPlainObject(value) || Array.isArray(value) || value instanceof RegExp);
}

function lookup(spec: unknown, env: PipelineEnv): Stage {
  if (!isPlainObject(spec)) notCompiled('$lookup');
  const { from, localField, foreignField, as } = spec as Doc;
  if (Object.keys(spec as Doc).length !== 4 || typeof from !== 'string' || typeof localField !== 'string' || typeof foreignField !== 'string') {
    notCompiled('$lookup form');
  }
  if (foreignField.includes('.') || localField.startsWith('$')) notCompiled('$lookup fields');
  const targetName = [topLevelField(as)];
  return (docs) => {
    const probes = new Map<string, Doc[]>();
    const probe = (value: unknown): Doc[] => {
      if (!probeable(value)) deopt();
      const key = keyOf(value);
      let found = probes.get(key);
      if (!found) {
        found = env.probe(from, foreignField, value ?? null);
        probes.set(key, found);
      }
      return found;
    };
    const joined = new Map<string, Doc[]>();
    return docs.map((doc) => {
      const local: unknown = resolve(doc, localField) ?? null;
      let matches: Doc[];
      if (Array.isArray(local)) {
        const key = keyOf(local);
        let found = joined.get(key);
        if (!found) {
          const seen = new Set<Doc>();
          for (const value of local) for (const match of probe(value)) seen.add(match);
          found = [...seen];
          joined.set(key, found);
        }
        matches = found;
      } else {
        matches = probe(local);
      }
      return copyWith(doc, targetName, [matches]);
    });
  };
}

function replaceRoot(spec: unknown, scope: Scope, vars: Vars): Stage {
  const expr = isPlainObject(spec) && Object.keys(spec).length === 1 ? spec.newRoot : notCompiled('$replaceRoot');
  const fn = compileExpression(expr, scope);
  return (docs) => docs.map((doc) => {
    const root = fn(doc, vars);
    return isPlainObject(root) ? root : deopt();
  });
}

function facet(spec: unknown, env: PipelineEnv, scope: Scope): Stage {
  if (!isPlainObject(spec)) notCompiled('$facet');
  const facets = Object.keys(spec as Doc).map((name) => {
    const pipeline: unknown = (spec as Doc)[name];
    if (!Array.isArray(pipeline) || !pipeline.every(isPlainObject)) notCompiled('$facet pipeline');
    return [topLevelField(name), compilePipeline(pipeline as Document[], env, scope)] as const;
  });
  return (docs) => {
    const out: Doc = {};
    for (const [name, run] of facets) out[name] = run(docs);
    return [out];
  };
}

/** Compiles one stage (with the next one, to fuse `$sort` + `$limit`); returns how many it consumed. */
function compileStage(stages: Document[], at: number, env: PipelineEnv, scope: Scope): [Stage, number] {
  const stage = stages[at]!;
  const name = Object.keys(stage)[0] ?? '';
  const spec: unknown = stage[name];
  const vars = env.variables;
  try {
    if (Object.keys(stage).length !== 1) notCompiled('stage');
    switch (name) {
      case '$match':
        return [match(spec), 1];
      case '$addFields':
      case '$set':
        return [addFields(spec, scope, vars), 1];
      case '$project':
        return [project(spec, scope, vars), 1];
      case '$group':
        return [group(spec, scope, vars), 1];
      case '$count':
        return [count(spec), 1];
      case '$sort': {
        const limit: unknown = stages[at + 1]?.$limit;
        const fused = typeof limit === 'number' && Number.isInteger(limit) && limit > 0;
        return [sort(spec, fused ? limit : undefined), fused ? 2 : 1];
      }
      case '$limit': {
        const n = nonNegativeInteger(spec, '$limit');
        if (n === 0) notCompiled('$limit 0');
        return [(docs) => docs.slice(0, n), 1];
      }
      case '$skip': {
        const n = nonNegativeInteger(spec, '$skip');
        return [(docs) => docs.slice(n), 1];
      }
      case '$unwind':
        return [unwind(spec), 1];
      case '$lookup':
        return [lookup(spec, env), 1];
      case '$replaceRoot':
        return [replaceRoot(spec, scope, vars), 1];
      case '$facet':
        return [facet(spec, env, scope), 1];
      default:
        notCompiled(name);
    }
  } catch (error) {
    if (!(error instanceof NotCompiled)) throw error;
  }
  return [(docs) => env.mingo(docs, [stage]), 1];
}

export function compilePipeline(stages: Document[], env: PipelineEnv, scope: Scope): Stage {
  const compiled: Stage[] = [];
  for (let at = 0; at < stages.length; ) {
    const [stage, consumed] = compileStage(stages, at, env, scope);
    compiled.push(stage);
    at += consumed;
  }
  return (docs) => compiled.reduce((current, stage) => stage(current), docs);
}
