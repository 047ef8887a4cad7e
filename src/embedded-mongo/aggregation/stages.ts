import type { Document } from 'bson';
import { compare, resolve } from 'mingo/util';
import { compileFilter } from '../query.js';
import { isPlainObject, keyOf, type Doc } from '../values.js';
import { compileAccumulator, type Accumulator } from './accumulators.js';
import { NotCompiled, compileExpression, deopt, isNil, type Fn, type Scope, type Vars } from './expressions.js';
import { expressionFields } from './narrow.js';

/** What compiled stages need from the command: index probes for `$lookup`, mingo for the rest. */
export interface PipelineEnv {
  /**
   * Documents of collection `from` whose `field` equals `value` under query equality (an array
   * field matches by element; null matches null and missing), found through the indexes.
   */
  probe(from: string, field: string, value: unknown): Doc[];
  /** Whether an index on collection `from` starts with `field` (else `$lookup` hashes a scan once). */
  indexed(from: string, field: string): boolean;
  /** Every document of collection `from`. */
  scan(from: string): Doc[];
  /** How many documents collection `from` holds (0 when it does not exist). */
  size(from: string): number;
  /** Runs stages through mingo. */
  mingo(docs: Doc[], stages: Document[]): Doc[];
  variables: Vars;
}

/**
 * A compiled stage. `owned` says whether the documents it receives belong to this run alone
 * (fresh copies no one else sees): only then may it change them in place. Otherwise they may be
 * the stored documents themselves, and a stage that changes one returns a shallow copy.
 */
interface Stage {
  (docs: Doc[], owned: boolean): Doc[];
  /** Whether the documents it returns are owned: always (fresh), as its input's, or never (they may share with others). */
  readonly output: 'fresh' | 'input' | 'shared';
}

function stage(run: (docs: Doc[], owned: boolean) => Doc[], output: Stage['output']): Stage {
  return Object.assign(run, { output });
}

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

/** copyWith on a document this run owns. */
function setInPlace(doc: Doc, names: readonly string[], values: readonly unknown[]): Doc {
  for (let i = 0; i < names.length; i++) {
    if (values[i] === undefined) delete doc[names[i]!];
    else doc[names[i]!] = values[i];
  }
  return doc;
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
  return stage((docs) => docs.filter(test), 'input');
}

/**
 * An expression reading only a field an earlier `$lookup` joined is evaluated once per distinct
 * joined array: `$lookup` hands the same array to every document with the same local value, so
 * a roll-up over it (`$map`/`$filter` of the joined units) runs once per set of units. Values
 * of the documents' own (a resource's `issuers`) never repeat, so they are not remembered.
 * Expressions are pure and the stages never modify values, so sharing the result is safe.
 */
function memoised(expr: unknown, fn: Fn, joined: ReadonlySet<string>): Fn {
  const fields = expressionFields(expr);
  if (!fields || fields.size !== 1) return fn;
  const [field] = fields as Set<string>;
  if (!joined.has(field!)) return fn;
  // Stages are compiled per command: the results hold for that command's variables.
  const results = new Map<object, unknown>();
  return (doc, vars) => {
    const value: unknown = doc[field!];
    if (value === null || typeof value !== 'object') return fn(doc, vars);
    const known = results.get(value);
    if (known !== undefined || results.has(value)) return known;
    const result = fn(doc, vars);
    results.set(value, result);
    return result;
  };
}

function addFields(spec: unknown, scope: Scope, vars: Vars, joined: ReadonlySet<string>): Stage {
  if (!isPlainObject(spec) || Object.keys(spec).length === 0) notCompiled('$addFields');
  const fields = Object.keys(spec as Doc).map((name) => {
    const expr = (spec as Doc)[name];
    // An embedded document literal merges into the field in MongoDB and replaces it in mingo.
    if (isPlainObject(expr) && !Object.keys(expr).some((key) => key.startsWith('$'))) notCompiled('$addFields document');
    return [topLevelField(name), memoised(expr, compileExpression(expr, scope), joined)] as const;
  });
  const names = fields.map(([name]) => name);
  const fns = fields.map(([, fn]) => fn);
  return stage((docs, owned) => {
    // Every value is computed from the document as it came in, then set: one array serves all documents.
    const values: unknown[] = new Array(fns.length);
    return docs.map((doc) => {
      for (let i = 0; i < fns.length; i++) values[i] = fns[i]!(doc, vars);
      return owned ? setInPlace(doc, names, values) : copyWith(doc, names, values);
    });
  }, 'fresh');
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
    return stage((docs) => docs.map((doc) => copyWith(doc, excluded, removed)), 'fresh');
  }
  if (excluded.some((name) => name !== '_id')) notCompiled('$project mixing inclusion and exclusion');
  const keepId = excluded.length === 0 && !fields.some((field) => field.name === '_id');
  return stage(
    (docs) =>
      docs.map((doc) => {
      const out: Doc = {};
      if (keepId && doc._id !== undefined) out._id = doc._id;
      for (const { name, fn } of fields) {
        const value: unknown = fn ? fn(doc, vars) : doc[name];
        if (value !== undefined) out[name] = value;
      }
      return out;
      }),
    'fresh',
  );
}

/**
 * Small integer ids for group key values: strings, booleans and numbers by value, dates by
 * time, anything else by `keyOf`. Values equal under mingo's grouping (which keeps numbers and
 * Decimal128 apart, as it keeps missing apart from null inside a compound key) get the same id.
 */
class KeyIds {
  private readonly byValue = new Map<unknown, number>();
  private readonly byTime = new Map<number, number>();
  private readonly byKey = new Map<string, number>();
  /**
   * Objects already keyed, by identity: a roll-up's keys are the org units' own ObjectIds, the
   * same instances for every document, so `keyOf` runs once per unit instead of once per row.
   * Stages never modify values, so an object's key cannot change during the run.
   */
  private readonly byObject = new Map<object, number>();

  private static of<K>(map: Map<K, number>, key: K): number {
    let id = map.get(key);
    if (id === undefined) {
      // 0 and 1 stand for missing and null.
      id = map.size + 2;
      map.set(key, id);
    }
    return id;
  }

  id(value: unknown): number {
    if (value === undefined) return 0;
    if (value === null) return 1;
    const type = typeof value;
    if (type === 'string' || type === 'number' || type === 'boolean') return KeyIds.of(this.byValue, value);
    if (value instanceof Date) return KeyIds.of(this.byTime, value.getTime()) + 0x8000_0000;
    const known = this.byObject.get(value as object);
    if (known !== undefined) return known;
    const id = KeyIds.of(this.byKey, keyOf(value)) + 0x4000_0000;
    this.byObject.set(value as object, id);
    return id;
  }
}

/** Group numbers for tuples of key ids: a trie of maps, one level per part (no key string per document). */
class TupleIds {
  private readonly root: Trie = new Map();
  private size = 0;

  id(ids: readonly number[]): number {
    let node = this.root;
    const last = ids.length - 1;
    for (let i = 0; i < last; i++) {
      let child = node.get(ids[i]!) as Trie | undefined;
      if (!child) {
        child = new Map();
        node.set(ids[i]!, child);
      }
      node = child;
    }
    let id = node.get(ids[last]!) as number | undefined;
    if (id === undefined) {
      id = this.size++;
      node.set(ids[last]!, id);
    }
    return id;
  }
}

type Trie = Map<number, Trie | number>;

/** The group key of a document and, for a new group, its `_id`. */
interface GroupKey {
  key(doc: Doc, vars: Vars): number;
  /** The `_id` of the group whose key was computed last. */
  id(): unknown;
}

/** A compound `_id` (a document of expressions) is keyed by its parts' ids, without building the document for every input. */
function groupKey(expr: unknown, scope: Scope): GroupKey {
  const ids = new KeyIds();
  const parts = isPlainObject(expr) && Object.keys(expr).length > 0 && !Object.keys(expr).some((key) => key.startsWith('$')) ? Object.keys(expr) : undefined;
  if (!parts) {
    const fn = compileExpression(expr, scope);
    let last: unknown;
    return {
      key(doc, vars) {
        // A missing key groups with null, as in MongoDB.
        last = fn(doc, vars) ?? null;
        if (isPlainObject(last) && hasEmbeddedDocuments(last)) deopt();
        return ids.id(last);
      },
      id: () => last,
    };
  }
  const fns = parts.map((part) => compileExpression((expr as Doc)[part], scope));
  const tuples = new TupleIds();
  const values: unknown[] = new Array(fns.length);
  const partIds: number[] = new Array(fns.length);
  return {
    key(doc, vars) {
      for (let i = 0; i < fns.length; i++) {
        const value = fns[i]!(doc, vars);
        if (isPlainObject(value) || (Array.isArray(value) && value.some(isPlainObject))) deopt();
        values[i] = value;
        partIds[i] = ids.id(value);
      }
      return tuples.id(partIds);
    },
    id() {
      const id: Doc = {};
      parts.forEach((part, i) => {
        id[part] = values[i];
      });
      return id;
    },
  };
}

function group(spec: unknown, scope: Scope, vars: Vars): Stage {
  if (!isPlainObject(spec) || !('_id' in spec)) notCompiled('$group');
  const id = groupKey((spec as Doc)._id, scope);
  const outputs: Array<[string, Accumulator]> = Object.keys(spec as Doc)
    .filter((name) => name !== '_id')
    .map((name) => [topLevelField(name), compileAccumulator((spec as Doc)[name], scope)]);
  return stage((docs) => {
    const groups = new Map<number, { id: unknown; states: ReturnType<Accumulator['start']>[] }>();
    for (const doc of docs) {
      const key = id.key(doc, vars);
      let entry = groups.get(key);
      if (!entry) {
        entry = { id: id.id(), states: outputs.map(([, accumulator]) => accumulator.start()) };
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
  }, 'fresh');
}

/** Keys that are documents inside documents compare field-order-blind in mingo: left to it. */
function hasEmbeddedDocuments(value: Doc): boolean {
  return Object.values(value).some((inner) => isPlainObject(inner) || (Array.isArray(inner) && inner.some(isPlainObject)));
}

function count(spec: unknown): Stage {
  if (typeof spec !== 'string' || spec.trim() === '' || spec.includes('.') || spec.startsWith('$')) notCompiled('$count');
  return stage((docs) => [{ [spec as string]: docs.length }], 'fresh');
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
  return stage((docs) => {
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
  }, 'input');
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
  return stage((docs, owned) => {
    const set = owned ? setInPlace : copyWith;
    // One array of new values serves every document (both setters read it before returning).
    const values: unknown[] = [undefined, null];
    const out: Doc[] = [];
    for (const doc of docs) {
      const value: unknown = doc[field];
      if (Array.isArray(value)) {
        if (value.length === 0) {
          values[0] = undefined;
          values[1] = null;
          if (preserve) out.push(set(doc, names, values));
          continue;
        }
        const first = out.length;
        out.push(doc);
        // Copies for the later elements first: an owned document then carries the first one.
        for (let i = 1; i < value.length; i++) {
          values[0] = value[i];
          values[1] = i;
          out.push(copyWith(doc, names, values));
        }
        values[0] = value[0];
        values[1] = 0;
        out[first] = set(doc, names, values);
      } else if (!isEmptyValue(value) || preserve) {
        values[0] = value;
        values[1] = null;
        out.push(index === undefined ? doc : set(doc, names, values));
      }
    }
    return out;
  }, 'fresh');
}

/** Local values a `$lookup` probes the index with; others (documents, regexes, nested arrays) are left to mingo. */
function probeable(value: unknown): boolean {
  return !(isPlainObject(value) || Array.isArray(value) || value instanceof RegExp);
}

/**
 * The foreign documents by `keyOf` of each value of the field (null for missing), as mingo's
 * `$lookup` hashes them: one pass instead of a probe per value. A value absent from the map
 * matches nothing.
 */
function hashed(foreign: Doc[], field: string): Map<string, Doc[]> {
  const byValue = new Map<string, Doc[]>();
  for (const doc of foreign) {
    const value: unknown = doc[field] ?? null;
    for (const element of Array.isArray(value) ? (value as unknown[]) : [value]) {
      if (!probeable(element)) deopt();
      const key = keyOf(element);
      const docs = byValue.get(key);
      if (docs) docs.push(doc);
      else byValue.set(key, [doc]);
    }
  }
  return byValue;
}

function lookup(spec: unknown, env: PipelineEnv): Stage {
  if (!isPlainObject(spec)) notCompiled('$lookup');
  const { from, localField, foreignField, as } = spec as Doc;
  if (Object.keys(spec as Doc).length !== 4 || typeof from !== 'string' || typeof localField !== 'string' || typeof foreignField !== 'string') {
    notCompiled('$lookup form');
  }
  if (foreignField.includes('.') || localField.startsWith('$')) notCompiled('$lookup fields');
  const targetName = [topLevelField(as)];
  const readLocal = localField.includes('.') ? (doc: Doc): unknown => resolve(doc, localField) : (doc: Doc): unknown => doc[localField];
  return stage((docs, owned) => {
    // An index probe per distinct local value costs a planner run (µs each); hashing the foreign
    // collection once costs a key per foreign document: cheaper once the inputs outnumber them
    // (every resource joined with its org units).
    const probeIndex = env.indexed(from, foreignField) && env.size(from) > docs.length;
    const probes = probeIndex ? new Map<string, Doc[]>() : hashed(env.scan(from), foreignField);
    const probe = (value: unknown): Doc[] => {
      if (!probeable(value)) deopt();
      const key = keyOf(value);
      let found = probes.get(key);
      if (!found) {
        found = probeIndex ? env.probe(from, foreignField, value ?? null) : [];
        probes.set(key, found);
      }
      return found;
    };
    const joined = new Map<string, Doc[]>();
    // One array of new values serves every document (both setters read it before returning).
    const values: unknown[] = [undefined];
    return docs.map((doc) => {
      const local: unknown = readLocal(doc) ?? null;
      let matches: Doc[];
      if (Array.isArray(local) && local.length === 1) {
        // The common case (one attached value): the probe's own array, shared by every such document.
        matches = probe(local[0]);
      } else if (Array.isArray(local)) {
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
      values[0] = matches;
      return owned ? setInPlace(doc, targetName, values) : copyWith(doc, targetName, values);
    });
  }, 'fresh');
}

function replaceRoot(spec: unknown, scope: Scope, vars: Vars): Stage {
  const expr = isPlainObject(spec) && Object.keys(spec).length === 1 ? spec.newRoot : notCompiled('$replaceRoot');
  const fn = compileExpression(expr, scope);
  // The new roots may be embedded documents of the input: never owned.
  return stage((docs) => docs.map((doc) => {
    const root = fn(doc, vars);
    return isPlainObject(root) ? root : deopt();
  }), 'shared');
}

function facet(spec: unknown, env: PipelineEnv, scope: Scope, joined: ReadonlySet<string>): Stage {
  if (!isPlainObject(spec)) notCompiled('$facet');
  const facets = Object.keys(spec as Doc).map((name) => {
    const pipeline: unknown = (spec as Doc)[name];
    if (!Array.isArray(pipeline) || !pipeline.every(isPlainObject)) notCompiled('$facet pipeline');
    return [topLevelField(name), compilePipeline(pipeline as Document[], env, scope, joined)] as const;
  });
  const othersFresh = facets.slice(1).every(([, run]) => run.fresh);
  return stage((docs, owned) => {
    // Branches run last to first, so that the first (in reports, the rows) may own the documents,
    // when no other branch returns them.
    const results = new Map<string, Doc[]>();
    for (let i = facets.length - 1; i >= 0; i--) {
      const [name, run] = facets[i]!;
      results.set(name, run(docs, owned && i === 0 && othersFresh));
    }
    const out: Doc = {};
    for (const [name] of facets) out[name] = results.get(name);
    return [out];
  }, 'fresh');
}

/** A compiled pipeline; see Stage for `owned`. */
export interface Pipeline {
  (docs: Doc[], owned: boolean): Doc[];
  /** Whether it never returns the documents it was given (so that they may be changed after it ran). */
  readonly fresh: boolean;
}

/** Compiles one stage (with the next one, to fuse `$sort` + `$limit`); returns how many it consumed. */
/** `joined`: the fields earlier `$lookup` stages wrote (see memoised). */
function compileStage(stages: Document[], at: number, env: PipelineEnv, scope: Scope, joined: ReadonlySet<string>): [Stage, number] {
  const current = stages[at]!;
  const name = Object.keys(current)[0] ?? '';
  const spec: unknown = current[name];
  const vars = env.variables;
  try {
    if (Object.keys(current).length !== 1) notCompiled('stage');
    switch (name) {
      case '$match':
        return [match(spec), 1];
      case '$addFields':
      case '$set':
        return [addFields(spec, scope, vars, joined), 1];
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
        return [stage((docs) => docs.slice(0, n), 'input'), 1];
      }
      case '$skip': {
        const n = nonNegativeInteger(spec, '$skip');
        return [stage((docs) => docs.slice(n), 'input'), 1];
      }
      case '$unwind':
        return [unwind(spec), 1];
      case '$lookup':
        return [lookup(spec, env), 1];
      case '$replaceRoot':
        return [replaceRoot(spec, scope, vars), 1];
      case '$facet':
        return [facet(spec, env, scope, joined), 1];
      default:
        notCompiled(name);
    }
  } catch (error) {
    if (!(error instanceof NotCompiled)) throw error;
  }
  return [stage((docs) => env.mingo(docs, [current]), 'shared'), 1];
}

export function compilePipeline(stages: Document[], env: PipelineEnv, scope: Scope, joinedBefore: ReadonlySet<string> = new Set()): Pipeline {
  const compiled: Stage[] = [];
  const joined = new Set(joinedBefore);
  for (let at = 0; at < stages.length; ) {
    const [stage, consumed] = compileStage(stages, at, env, scope, joined);
    compiled.push(stage);
    const as: unknown = stages[at]!.$lookup?.as;
    if (typeof as === 'string') joined.add(as);
    at += consumed;
  }
  const owns = (owned: boolean, run: Stage): boolean => run.output === 'fresh' || (run.output === 'input' && owned);
  const run = (docs: Doc[], owned: boolean): Doc[] => {
    let current = docs;
    let own = owned;
    for (const next of compiled) {
      current = next(current, own);
      own = owns(own, next);
    }
    return current;
  };
  return Object.assign(run, { fresh: compiled.reduce(owns, false) });
}
