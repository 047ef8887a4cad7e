import { ObjectId, type Document } from 'bson';
import { resolve } from 'mingo/util';
import { compileFilter } from '../query.js';
import { commandError, ErrorCode } from '../errors.js';
import { isPlainObject, keyOf, type Doc } from '../values.js';
import { compileAccumulator, type Accumulator, type AccumulatorState } from './accumulators.js';
import { inPlaceSetter, projector } from './generated.js';
import { compareKey } from './order.js';
import { ObjectIdMap } from './object-keys.js';
import { NotCompiled, compileExpression, deopt, isNil, type Fn, type Scope, type Vars } from './expressions.js';
import { groupKey } from './group-keys.js';
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
 * Whether the documents a stage hands on are owned: always (fresh), as its input's, or never
 * (they may share with others). A document is owned when it belongs to this run alone (a fresh
 * copy no one else sees): only then may a stage change it in place. Otherwise it may be a stored
 * document itself, and a stage that changes one hands on a shallow copy.
 */
type Output = 'fresh' | 'input' | 'shared';

const passesOwned = (owned: boolean, output: Output): boolean => output === 'fresh' || (output === 'input' && owned);

/** A compiled stage that needs its whole input at once (a stage mingo runs). */
interface Stage {
  (docs: Doc[], owned: boolean): Doc[];
  readonly output: Output;
}

function stage(run: (docs: Doc[], owned: boolean) => Doc[], output: Output): Stage {
  return Object.assign(run, { output });
}

/** Where a streamed stage hands its documents, one at a time; `end` follows the last. */
interface Sink {
  push(doc: Doc): void;
  end(): void;
  /**
   * Whether it only reads each document while it is pushed: it neither keeps nor changes it, nor
   * hands it (or anything holding it) to a sink that would. A sender may then change a document
   * it owns and push it again (see unwind) instead of pushing a copy.
   */
  readonly readsOnly: boolean;
}

/**
 * A compiled stage that takes its input one document at a time. A run of such stages is one
 * pass over the documents: each goes through every stage (and every `$facet` branch) before the
 * next is read, with no array between stages. Barriers (`$group`, `$sort`, `$count`, `$facet`)
 * keep their state (groups, the best k, a counter) and hand on their results at `end`.
 * `owned` is whether the documents it receives are owned.
 */
interface Streamer {
  open(next: Sink, owned: boolean): Sink;
  readonly output: Output;
}

/**
 * What a stage does with the documents it is pushed (see Sink.readsOnly): only `reads` them
 * while pushed, `passes` them on unchanged, or may keep or change them (or hand on documents
 * holding them): `keeps`.
 */
type Use = 'reads' | 'passes' | 'keeps';

const readsOnly = (use: Use, next: Sink): boolean => use === 'reads' || (use === 'passes' && next.readsOnly);

/** A stage that hands on zero or more documents for each it receives, holding nothing. */
function rowStreamer(open: (next: Sink, owned: boolean) => (doc: Doc) => void, output: Output, use: Use): Streamer {
  return {
    output,
    open(next, owned) {
      const push = open(next, owned);
      return { push, end: () => next.end(), readsOnly: readsOnly(use, next) };
    },
  };
}

/** A barrier: `take` each document, then `results` at the end; `readsOnly` as in Sink. */
function barrier(open: (owned: boolean) => { take(doc: Doc): void; results(): Iterable<Doc> }, output: Output, readsOnly: boolean): Streamer {
  return {
    output,
    open(next, owned) {
      const state = open(owned);
      return {
        push: (doc) => state.take(doc),
        end() {
          for (const doc of state.results()) next.push(doc);
          next.end();
        },
        readsOnly,
      };
    },
  };
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

function match(spec: unknown): Streamer {
  // `$expr` filters see the command's `let` variables only through mingo's aggregator.
  if (!isPlainObject(spec) || usesExpressions(spec)) notCompiled('$match');
  const test = compileFilter(spec as Document);
  return rowStreamer((next) => (doc) => {
    if (test(doc)) next.push(doc);
  }, 'input', 'passes');
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

function addFields(spec: unknown, scope: Scope, vars: Vars, joined: ReadonlySet<string>): Streamer {
  if (!isPlainObject(spec) || Object.keys(spec).length === 0) notCompiled('$addFields');
  const fields = Object.keys(spec as Doc).map((name) => {
    const expr = (spec as Doc)[name];
    // An embedded document literal merges into the field in MongoDB and replaces it in mingo.
    if (isPlainObject(expr) && !Object.keys(expr).some((key) => key.startsWith('$'))) notCompiled('$addFields document');
    return [topLevelField(name), memoised(expr, compileExpression(expr, scope), joined)] as const;
  });
  const names = fields.map(([name]) => name);
  const fns = fields.map(([, fn]) => fn);
  return rowStreamer((next, owned) => {
    // Every value is computed from the document as it came in, then set: one array serves all documents.
    const values: unknown[] = new Array(fns.length);
    const set = owned ? inPlaceSetter(names) : copyWith;
    return (doc) => {
      for (let i = 0; i < fns.length; i++) values[i] = fns[i]!(doc, vars);
      next.push(set(doc, names, values));
    };
  }, 'fresh', 'keeps');
}

function project(spec: unknown, scope: Scope, vars: Vars): Streamer {
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
    return rowStreamer((next) => (doc) => next.push(copyWith(doc, excluded, removed)), 'fresh', 'reads');
  }
  if (excluded.some((name) => name !== '_id')) notCompiled('$project mixing inclusion and exclusion');
  const keepId = excluded.length === 0 && !fields.some((field) => field.name === '_id');
  // MongoDB's order: `_id`, the kept fields, then the computed ones (kept fields come in the
  // projection's order here, MongoDB keeps the document's: docs/embedded-mongo.md, Known differences).
  const ordered = [
    ...(keepId ? [{ name: '_id' }] : fields.filter((field) => field.name === '_id')),
    ...fields.filter((field) => field.name !== '_id' && !field.fn),
    ...fields.filter((field) => field.name !== '_id' && field.fn),
  ];
  const projected = projector(ordered);
  // A row holding the input itself (`$$ROOT`) keeps it; otherwise rows hold the input's values only.
  return rowStreamer((next) => (doc) => next.push(projected(doc, vars)), 'fresh', expressionFields(spec) ? 'reads' : 'keeps');
}


function group(spec: unknown, scope: Scope, vars: Vars): Streamer {
  if (!isPlainObject(spec) || !('_id' in spec)) notCompiled('$group');
  const id = groupKey((spec as Doc)._id, scope);
  const outputs: Array<[string, Accumulator]> = Object.keys(spec as Doc)
    .filter((name) => name !== '_id')
    .map((name) => [topLevelField(name), compileAccumulator((spec as Doc)[name], scope)]);
  // Counts (a constant `$sum`) come from the group's document count; the others keep a state.
  const starts = outputs.flatMap(([, accumulator]) => (accumulator.start ? [() => accumulator.start()] : []));
  return barrier(() => {
    // By group number: in the order the groups were first seen, as mingo outputs them.
    const groups: Array<{ id: unknown; n: number; states: AccumulatorState[] }> = [];
    return {
      take(doc) {
        const key = id.key(doc, vars);
        let entry = groups[key];
        if (!entry) {
          entry = { id: id.id(), n: 0, states: starts.map((start) => start()) };
          groups[key] = entry;
        }
        entry.n++;
        const states = entry.states;
        for (let i = 0; i < states.length; i++) states[i]!.add(doc, vars);
      },
      *results() {
        for (const entry of groups) {
          const row: Doc = { _id: entry.id };
          let next = 0;
          for (const [name, accumulator] of outputs) {
            row[name] = accumulator.step === undefined ? entry.states[next++]!.result() : entry.n * accumulator.step;
          }
          yield row;
        }
      },
    };
    // Groups keep values of the documents, never the documents themselves unless named (`$$ROOT`).
  }, 'fresh', expressionFields(spec) !== undefined);
}

function count(spec: unknown): Streamer {
  if (typeof spec !== 'string' || spec.trim() === '' || spec.includes('.') || spec.startsWith('$')) notCompiled('$count');
  return barrier(() => {
    let n = 0;
    return {
      take() {
        n++;
      },
      results: () => [{ [spec as string]: n }],
    };
  }, 'fresh', true);
}


/** Bounded insertion keeps the best `limit` while the documents stream by; larger limits sort all at the end. */
const MAX_BOUNDED_SORT = 1000;

function sort(spec: unknown, limit: number | undefined): Streamer {
  if (!isPlainObject(spec) || Object.keys(spec).length === 0) notCompiled('$sort');
  const keys = Object.keys(spec as Doc).map((path) => {
    const direction: unknown = (spec as Doc)[path];
    if ((direction !== 1 && direction !== -1) || path.startsWith('$')) notCompiled('$sort direction');
    const read = path.includes('.') ? (doc: Doc): unknown => resolve(doc, path) : (doc: Doc): unknown => doc[path];
    return { read, direction: direction as number };
  });
  const order = (a: readonly unknown[], b: readonly unknown[]): number => {
    for (let i = 0; i < keys.length; i++) {
      const c = compareKey(a[i], b[i]);
      if (c !== 0) return c * keys[i]!.direction;
    }
    return 0;
  };
  const valuesOf = (doc: Doc, into: unknown[]): unknown[] => {
    for (let i = 0; i < keys.length; i++) {
      // A missing value sorts as null, as in MongoDB.
      const value: unknown = keys[i]!.read(doc) ?? null;
      // mingo compares arrays element by element here: left to it.
      if (Array.isArray(value)) deopt();
      into[i] = value;
    }
    return into;
  };
  const bounded = limit !== undefined && limit <= MAX_BOUNDED_SORT;
  return barrier(() => {
    // In order; stable: an item goes after those it ties with, and one tying the last is not taken.
    const best: Array<{ doc: Doc; values: unknown[] }> = [];
    const scratch: unknown[] = new Array(keys.length);
    return {
      take(doc) {
        if (!bounded) {
          best.push({ doc, values: valuesOf(doc, new Array(keys.length)) });
          return;
        }
        const values = valuesOf(doc, scratch);
        if (best.length === limit && order(values, best[limit - 1]!.values) >= 0) return;
        let low = 0;
        let high = best.length;
        while (low < high) {
          const mid = (low + high) >> 1;
          if (order(values, best[mid]!.values) < 0) high = mid;
          else low = mid + 1;
        }
        best.splice(low, 0, { doc, values: values.slice() });
        if (best.length > limit) best.pop();
      },
      results() {
        if (bounded) return best.map((entry) => entry.doc);
        const sorted = best.sort((a, b) => order(a.values, b.values)).map((entry) => entry.doc);
        return limit === undefined ? sorted : sorted.slice(0, limit);
      },
    };
  }, 'input', false);
}

function nonNegativeInteger(spec: unknown, what: string): number {
  if (typeof spec !== 'number' || !Number.isInteger(spec) || spec < 0) notCompiled(what);
  return spec as number;
}

/** mingo's `isEmpty`, which decides whether a non-array value survives `$unwind`. */
function isEmptyValue(value: unknown): boolean {
  return isNil(value) || value === '' || (Array.isArray(value) && value.length === 0) || (isPlainObject(value) && Object.keys(value).length === 0);
}

function unwind(spec: unknown): Streamer {
  const options: Doc = typeof spec === 'string' ? { path: spec } : isPlainObject(spec) ? spec : notCompiled('$unwind');
  if (Object.keys(options).some((key) => !['path', 'includeArrayIndex', 'preserveNullAndEmptyArrays'].includes(key))) notCompiled('$unwind options');
  if (typeof options.path !== 'string' || !options.path.startsWith('$')) notCompiled('$unwind path');
  const field = topLevelField((options.path as string).slice(1));
  const index = options.includeArrayIndex === undefined ? undefined : topLevelField(options.includeArrayIndex);
  const preserve = options.preserveNullAndEmptyArrays === true;
  const names = index === undefined ? [field] : [field, index];
  // A document without an array (and without an index to add) goes on as it came: as owned as the input.
  return rowStreamer((next, owned) => {
    const setOwn = inPlaceSetter(names);
    const set = owned ? setOwn : copyWith;
    const reuse = owned && next.readsOnly;
    // One array of new values serves every document (both setters read it before returning).
    const values: unknown[] = [undefined, null];
    return (doc) => {
      const value: unknown = doc[field];
      if (Array.isArray(value)) {
        if (value.length === 0) {
          values[0] = undefined;
          values[1] = null;
          if (preserve) next.push(set(doc, names, values));
          return;
        }
        // Copies for all but the last element; an owned document itself carries the last one, once
        // every copy was taken from it unchanged. It carries every element in turn when the next
        // stage only reads it (rows into a `$group`, a `$project`): no copies at all.
        const last = value.length - 1;
        for (let i = 0; i < last; i++) {
          values[0] = value[i];
          values[1] = i;
          // A spread copies the document's shape in one step (its fields exist: the array's, and
          // the index's is appended as copyWith would): then set as on an owned document.
          // (A missing element would delete the field and re-add it last: a copy keeps the order.)
          next.push(setOwn(reuse && values[0] !== undefined ? doc : { ...doc }, names, values));
        }
        values[0] = value[last];
        values[1] = last;
        next.push(set(doc, names, values));
      } else if (!isEmptyValue(value) || preserve) {
        values[0] = value;
        values[1] = null;
        next.push(index === undefined ? doc : set(doc, names, values));
      }
    };
  }, 'input', 'keeps');
}

/** Local values a `$lookup` probes the index with; others (documents, regexes, nested arrays) are left to mingo. */
function probeable(value: unknown): boolean {
  return !(isPlainObject(value) || Array.isArray(value) || value instanceof RegExp);
}

/** Values under query equality: ObjectIds by their bytes (no key string per probe), others by `keyOf`. */
class ValueMap<V> {
  private readonly ids = new ObjectIdMap<V>();
  private readonly others = new Map<string, V>();

  get(value: unknown): V | undefined {
    return value instanceof ObjectId ? this.ids.get(value) : this.others.get(keyOf(value));
  }

  set(value: unknown, entry: V): void {
    if (value instanceof ObjectId) this.ids.set(value, entry);
    else this.others.set(keyOf(value), entry);
  }
}

/**
 * The foreign documents by each value of the field (null for missing), as mingo's `$lookup`
 * hashes them: one pass instead of a probe per value. A value absent from the map matches nothing.
 */
function hashed(foreign: Doc[], field: string): ValueMap<Doc[]> {
  const byValue = new ValueMap<Doc[]>();
  for (let i = 0; i < foreign.length; i++) {
    const doc = foreign[i]!;
    const value: unknown = doc[field] ?? null;
    for (const element of Array.isArray(value) ? (value as unknown[]) : [value]) {
      if (!probeable(element)) deopt();
      const docs = byValue.get(element);
      if (docs) docs.push(doc);
      else byValue.set(element, [doc]);
    }
  }
  return byValue;
}

/**
 * How many distinct values an indexed `$lookup` probes before it hashes the foreign collection
 * instead, per foreign document: a probe is a planner run (30–40 µs for an `_id` in the
 * embedded server, profiled at 100k), hashing costs ≈ 0.3 µs per foreign document. A few feeds
 * keep to the index of their runs (200 feeds, 135k runs); resources joined with 2,111 org units
 * hash them after 16 probes.
 */
const PROBES_PER_FOREIGN_DOC = 1 / 128;

/** The foreign documents matching a local value; the same array for the same value (see `memoised`). */
function foreignMatches(env: PipelineEnv, from: string, field: string): (value: unknown) => Doc[] {
  const budget = env.indexed(from, field) ? Math.floor(env.size(from) * PROBES_PER_FOREIGN_DOC) : 0;
  let byValue: ValueMap<Doc[]> | undefined;
  const probed = new ValueMap<Doc[]>();
  const probedValues: unknown[] = [];
  // Every value without a match gets this one array (an expression over it is then evaluated once).
  const none: Doc[] = [];
  return (value) => {
    // ObjectIds (the usual local values) are probeable: checked first, without the prototype walk.
    if (!(value instanceof ObjectId) && !probeable(value)) deopt();
    if (!byValue) {
      let found = probed.get(value);
      if (found) return found;
      if (probedValues.length < budget) {
        found = env.probe(from, field, value ?? null);
        probed.set(value, found);
        probedValues.push(value);
        return found;
      }
      byValue = hashed(env.scan(from), field);
      // A probed value keeps the array it was given (the same documents): what was derived from it stays valid.
      for (const known of probedValues) byValue.set(known, probed.get(known)!);
    }
    return byValue.get(value) ?? none;
  };
}

/** A node of a trie on the identities of the match arrays of several local values: their union. */
interface Union {
  matches?: Doc[];
  /** What the fused `$addFields` derived from `matches` (see lookup), once derived. */
  derived?: { value: unknown };
  next?: Map<Doc[], Union>;
}

/**
 * The expression of an `$addFields`/`$set` right after a `$lookup` that only replaces the joined
 * field with a value computed from it (a roll-up of the joined org units), or undefined. `$lookup`
 * then computes it itself, once per local value: see lookup.
 */
function derivation(lookupSpec: Doc, following: Document | undefined, scope: Scope): Fn | undefined {
  const spec: unknown = following?.$addFields ?? following?.$set;
  if (!following || Object.keys(following).length !== 1 || !isPlainObject(spec)) return undefined;
  const names = Object.keys(spec);
  const expr: unknown = spec[lookupSpec.as as string];
  if (names.length !== 1 || expr === undefined || (isPlainObject(expr) && !Object.keys(expr).some((key) => key.startsWith('$')))) return undefined;
  const fields = expressionFields(expr);
  if (!fields || fields.size !== 1 || !fields.has(lookupSpec.as as string)) return undefined;
  try {
    return compileExpression(expr, scope);
  } catch (error) {
    if (error instanceof NotCompiled) return undefined;
    throw error;
  }
}

/**
 * `derive`: the expression of the `$addFields` fused into this stage (see derivation): the field
 * gets its value instead of the joined array. It reads that field only, so its value depends on
 * the joined documents alone: computed once per match array, and remembered per ObjectId local
 * value, so that most documents cost one lookup by the id's bytes.
 */
function lookup(spec: unknown, env: PipelineEnv, derive?: Fn, vars?: Vars): Streamer {
  if (!isPlainObject(spec)) notCompiled('$lookup');
  const { from, localField, foreignField, as } = spec as Doc;
  if (Object.keys(spec as Doc).length !== 4 || typeof from !== 'string' || typeof localField !== 'string' || typeof foreignField !== 'string') {
    notCompiled('$lookup form');
  }
  if (foreignField.includes('.') || localField.startsWith('$')) notCompiled('$lookup fields');
  const targetName = [topLevelField(as)];
  const readLocal = localField.includes('.') ? (doc: Doc): unknown => resolve(doc, localField) : (doc: Doc): unknown => doc[localField];
  return rowStreamer((next, owned) => {
    const matchesOf = foreignMatches(env, from, foreignField);
    // Several local values: one union per sequence of match arrays, shared by every document
    // with those values (as the single-value case shares the match array itself).
    // (Indexed loops: a `for…of` that V8 leaves unoptimised allocates an iterator result per element.)
    const unions: Union = {};
    // The match arrays of the values being walked, kept for building a new union (not looked up twice).
    const walked: Doc[][] = [];
    const unionOf = (local: unknown[]): Union & { matches: Doc[] } => {
      let node = unions;
      for (let i = 0; i < local.length; i++) {
        const matches = matchesOf(local[i]);
        walked[i] = matches;
        node.next ??= new Map();
        let child = node.next.get(matches);
        if (!child) {
          child = {};
          node.next.set(matches, child);
        }
        node = child;
      }
      if (!node.matches) {
        // Mostly a few units (a review case's four org paths): a scan beats a Set at that size.
        const union: Doc[] = [];
        const seen = local.length > 8 ? new Set<Doc>() : undefined;
        for (let i = 0; i < local.length; i++) {
          const matches = walked[i]!;
          for (let j = 0; j < matches.length; j++) {
            const match = matches[j]!;
            if (seen ? seen.has(match) : union.includes(match)) continue;
            seen?.add(match);
            union.push(match);
          }
        }
        node.matches = union;
      }
      return node as Union & { matches: Doc[] };
    };
    const set = owned ? inPlaceSetter(targetName) : copyWith;
    // One array of new values serves every document (both setters read it before returning).
    const values: unknown[] = [undefined];
    const joined = (local: unknown): Doc[] => (!Array.isArray(local) ? matchesOf(local) : local.length === 1 ? matchesOf(local[0]) : unionOf(local).matches);
    if (!derive) {
      return (doc) => {
        values[0] = joined(readLocal(doc) ?? null);
        next.push(set(doc, targetName, values));
      };
    }
    // The expression reads only the joined field: evaluated on a document holding just that.
    const scratch: Doc = {};
    const evaluate = (matches: Doc[]): unknown => {
      scratch[targetName[0]!] = matches;
      return derive(scratch, vars!);
    };
    const derived = new Map<Doc[], unknown>();
    const deriveFrom = (matches: Doc[]): unknown => {
      if (derived.has(matches)) return derived.get(matches);
      const value = evaluate(matches);
      derived.set(matches, value);
      return value;
    };
    const byId = new ObjectIdMap<{ value: unknown }>();
    return (doc) => {
      const local: unknown = readLocal(doc) ?? null;
      const single: unknown = Array.isArray(local) && local.length === 1 ? local[0] : local;
      if (single instanceof ObjectId) {
        let entry = byId.get(single);
        if (!entry) {
          entry = { value: deriveFrom(matchesOf(single)) };
          byId.set(single, entry);
        }
        values[0] = entry.value;
      } else if (Array.isArray(local) && local.length > 1) {
        // A union is its node's own array: what is derived from it is kept on the node.
        const union = unionOf(local);
        union.derived ??= { value: evaluate(union.matches) };
        values[0] = union.derived.value;
      } else {
        values[0] = deriveFrom(joined(local));
      }
      next.push(set(doc, targetName, values));
    };
  }, 'fresh', 'keeps');
}

function replaceRoot(spec: unknown, scope: Scope, vars: Vars): Streamer {
  const expr = isPlainObject(spec) && Object.keys(spec).length === 1 ? spec.newRoot : notCompiled('$replaceRoot');
  const fn = compileExpression(expr, scope);
  // The new roots may be embedded documents of the input: never owned.
  return rowStreamer((next) => (doc) => {
    const root = fn(doc, vars);
    next.push(isPlainObject(root) ? root : deopt());
  }, 'shared', 'keeps');
}

function facet(spec: unknown, env: PipelineEnv, scope: Scope, joined: ReadonlySet<string>): Streamer {
  if (!isPlainObject(spec)) notCompiled('$facet');
  const facets = Object.keys(spec as Doc).map((name) => {
    const pipeline: unknown = (spec as Doc)[name];
    if (!Array.isArray(pipeline) || !pipeline.every(isPlainObject)) notCompiled('$facet pipeline');
    return [topLevelField(name), compilePipeline(pipeline as Document[], env, scope, joined)] as const;
  });
  // The first branch (in reports, the rows) may change the documents in place when no other
  // branch hands them on or keeps them to read after it.
  const othersDone = facets.slice(1).every(([, pipeline]) => pipeline.fresh && pipeline.streamed);
  return {
    output: 'fresh',
    open(next, owned) {
      const runs = facets.map(([, pipeline], i) => pipeline.open(owned && i === 0 && othersDone));
      return {
        push(doc) {
          // Last to first: the first branch sees the document after the others are done with it.
          for (let i = runs.length - 1; i >= 0; i--) runs[i]!.push(doc);
        },
        end() {
          const out: Doc = {};
          for (let i = runs.length - 1; i >= 0; i--) runs[i]!.end();
          facets.forEach(([name], i) => {
            out[name] = runs[i]!.results();
          });
          next.push(out);
          next.end();
        },
        readsOnly: runs.every((run) => run.readsOnly),
      };
    },
  };
}

/** A run of a compiled pipeline fed one document at a time; `results` after `end`. */
export interface PipelineRun extends Sink {
  results(): Doc[];
}

/** A compiled pipeline; see Output for `owned`. */
export interface Pipeline {
  /** With `copy`, each document is pushed as a fresh copy made just then, which the stages own. */
  (docs: Doc[], owned: boolean, copy?: (doc: Doc) => Doc): Doc[];
  open(owned: boolean): PipelineRun;
  /** Whether it never returns the documents it was given (so that they may be changed after it ran). */
  readonly fresh: boolean;
  /** Whether every stage streams: it reads each document only while it is pushed. */
  readonly streamed: boolean;
}

const limitStage = (n: number): Streamer =>
  rowStreamer((next) => {
    let passed = 0;
    return (doc) => {
      if (passed < n) {
        passed++;
        next.push(doc);
      }
    };
  }, 'input', 'passes');

const skipStage = (n: number): Streamer =>
  rowStreamer((next) => {
    let skipped = 0;
    return (doc) => {
      if (skipped < n) skipped++;
      else next.push(doc);
    };
  }, 'input', 'passes');

/**
 * `$sample`: at most `size` distinct documents in random order, as MongoDB's random-sort method
 * returns them. Never left to mingo, which draws with replacement (repeating documents, `size`
 * of them even from a smaller input) and loops forever on a negative or non-numeric size.
 */
function sampleStage(spec: unknown): Stage {
  if (!isPlainObject(spec)) throw commandError(ErrorCode.Location28745, '$sample 须为对象 / the $sample stage specification must be an object');
  const unknown = Object.keys(spec).find((key) => key !== 'size');
  if (unknown !== undefined) throw commandError(ErrorCode.Location28748, `$sample 不支持的选项 / unrecognized option to $sample: ${unknown}`);
  if (!('size' in spec)) throw commandError(ErrorCode.Location28749, '$sample 须指定 size / $sample stage must specify a size');
  const requested = typeof spec.size === 'number' ? spec.size : typeof spec.size === 'bigint' ? Number(spec.size) : undefined;
  if (requested === undefined) throw commandError(ErrorCode.Location28746, 'size 须为数字 / size argument to $sample must be a number');
  if (requested < 0) throw commandError(ErrorCode.Location28747, 'size 不能为负数 / size argument to $sample must not be negative');
  const size = Math.trunc(requested);
  return stage((docs) => {
    const picked = docs.slice();
    const n = Math.min(size, picked.length);
    // A partial Fisher-Yates shuffle: the first n places get a uniform draw without replacement.
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(Math.random() * (picked.length - i));
      const chosen = picked[j]!;
      picked[j] = picked[i]!;
      picked[i] = chosen;
    }
    picked.length = n;
    return picked;
  }, 'input');
}

/** Compiles one stage (with the next one, to fuse `$sort` + `$limit`); returns how many it consumed. */
/** `joined`: the fields earlier `$lookup` stages wrote (see memoised). */
function compileStage(stages: Document[], at: number, env: PipelineEnv, scope: Scope, joined: ReadonlySet<string>): [Stage | Streamer, number] {
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
        return [limitStage(n), 1];
      }
      case '$skip':
        return [skipStage(nonNegativeInteger(spec, '$skip')), 1];
      case '$unwind':
        return [unwind(spec), 1];
      case '$lookup': {
        const derive = isPlainObject(spec) ? derivation(spec, stages[at + 1], scope) : undefined;
        return derive ? [lookup(spec, env, derive, vars), 2] : [lookup(spec, env), 1];
      }
      case '$replaceRoot':
        return [replaceRoot(spec, scope, vars), 1];
      case '$facet':
        return [facet(spec, env, scope, joined), 1];
      case '$sample':
        return [sampleStage(spec), 1];
      default:
        notCompiled(name);
    }
  } catch (error) {
    if (!(error instanceof NotCompiled)) throw error;
  }
  return [stage((docs) => env.mingo(docs, [current]), 'shared'), 1];
}

const collector = (into: Doc[]): Sink => ({ push: (doc) => into.push(doc), end() {}, readsOnly: false });

/** Opens a run of streamed stages in front of `last`. */
function openStream(streamers: readonly Streamer[], owned: boolean, last: Sink): Sink {
  const ownedIn: boolean[] = [];
  let own = owned;
  for (const streamer of streamers) {
    ownedIn.push(own);
    own = passesOwned(own, streamer.output);
  }
  let sink = last;
  for (let i = streamers.length - 1; i >= 0; i--) sink = streamers[i]!.open(sink, ownedIn[i]!);
  return sink;
}

/**
 * Consecutive streamed stages run as one pass; a stage that needs its whole input (mingo) gets
 * the array the pass before it collected.
 */
export function compilePipeline(stages: Document[], env: PipelineEnv, scope: Scope, joinedBefore: ReadonlySet<string> = new Set()): Pipeline {
  const parts: Array<Stage | Streamer[]> = [];
  const joined = new Set(joinedBefore);
  for (let at = 0; at < stages.length; ) {
    const [compiled, consumed] = compileStage(stages, at, env, scope, joined);
    const previous = parts[parts.length - 1];
    if (typeof compiled === 'function') parts.push(compiled);
    else if (Array.isArray(previous)) previous.push(compiled);
    else parts.push([compiled]);
    const as: unknown = stages[at]!.$lookup?.as;
    if (typeof as === 'string') joined.add(as);
    at += consumed;
  }
  const outputs = (part: Stage | Streamer[]): Output[] => (Array.isArray(part) ? part.map((streamer) => streamer.output) : [part.output]);
  const ownedAfter = (part: Stage | Streamer[], owned: boolean): boolean => outputs(part).reduce(passesOwned, owned);
  const runFrom = (first: number, docs: Doc[], owned: boolean): Doc[] => {
    let current = docs;
    let own = owned;
    for (let i = first; i < parts.length; i++) {
      const part = parts[i]!;
      if (Array.isArray(part)) {
        const out: Doc[] = [];
        const head = openStream(part, own, collector(out));
        for (let d = 0; d < current.length; d++) head.push(current[d]!);
        head.end();
        current = out;
      } else {
        current = part(current, own);
      }
      own = ownedAfter(part, own);
    }
    return current;
  };
  const open = (owned: boolean): PipelineRun => {
    // Documents go through the first streamed run as they come; later parts run on its output.
    const first = parts[0];
    const streamedFirst = Array.isArray(first);
    const collected: Doc[] = [];
    const head = streamedFirst ? openStream(first, owned, collector(collected)) : collector(collected);
    let results: Doc[] = [];
    return {
      push: (doc) => head.push(doc),
      readsOnly: head.readsOnly,
      end() {
        head.end();
        results = runFrom(streamedFirst ? 1 : 0, collected, streamedFirst ? ownedAfter(first, owned) : owned);
      },
      results: () => results,
    };
  };
  /**
   * Runs the documents through; with `copy`, each is pushed as a fresh copy made just then (so a
   * copy lives only while its rows are in flight), which the stages own.
   */
  const run = (docs: Doc[], owned: boolean, copy?: (doc: Doc) => Doc): Doc[] => {
    const pipeline = open(owned || copy !== undefined);
    // Indexed: this loop runs once per command, often unoptimised, where `for…of` allocates an iterator result per document.
    if (copy) for (let i = 0; i < docs.length; i++) pipeline.push(copy(docs[i]!));
    else for (let i = 0; i < docs.length; i++) pipeline.push(docs[i]!);
    pipeline.end();
    return pipeline.results();
  };
  return Object.assign(run, {
    open,
    fresh: parts.flatMap(outputs).reduce(passesOwned, false),
    streamed: parts.length === 0 || (parts.length === 1 && Array.isArray(parts[0])),
  });
}
