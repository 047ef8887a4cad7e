import { ObjectId } from 'bson';
import { fieldReader, once, pathReader } from './generated.js';
import { compare, ensureArray, flatten, intersection, isEqual, resolve, typeOf, unique } from 'mingo/util';
import { isPlainObject, keyOf, type Doc } from '../values.js';
import { DEFAULT_DATE_FORMAT, TRUNC_UNITS, dayOfWeek, dayOfYear, formatDate, localParts, truncate, weekStartOf, zoneOf, type TruncUnit, type Zone } from './dates.js';

/**
 * Aggregation expressions compiled once per command into closures. Each operator mirrors what
 * mingo (the server's reference evaluator) returns on the inputs it handles; on any other input
 * (an operand of an unexpected type, an error case) it throws `Deopt` and the command re-runs the
 * pipeline through mingo, so that errors and rare cases keep mingo's exact behaviour. An
 * expression using an operator not compiled here throws `NotCompiled` at compile time, and the
 * stage holding it runs through mingo. Deliberate differences from mingo, where mingo departs
 * from MongoDB, are the date operators with a timezone (mingo ignores the zone).
 */

/** Variables in scope: `let` variables and those bound by `$map`/`$filter`. */
export type Vars = Record<string, unknown>;
/** Evaluates against the document being processed (`$$ROOT`) and the variables. */
export type Fn = (doc: Doc, vars: Vars) => unknown;

/** The compiled path cannot answer this input: the command re-runs through mingo. */
export class Deopt extends Error {}
/** The expression or stage is not compiled: it runs through mingo. */
export class NotCompiled extends Error {}

export function deopt(): never {
  throw new Deopt('compiled aggregation cannot evaluate this input');
}

function notCompiled(what: string): never {
  throw new NotCompiled(what);
}

const isNil = (value: unknown): value is null | undefined => value === null || value === undefined;
/** mingo's strict truthiness: MongoDB treats "" as true. */
const truthy = (value: unknown): boolean => !!value || value === '';
const isNumber = (value: unknown): value is number => typeof value === 'number' && !Number.isNaN(value);

const PROTO_FIELDS = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Names bound in the enclosing scopes (for compile-time checks of `$$name`). */
export type Scope = ReadonlySet<string>;

function fieldPath(path: string): Fn {
  const parts = path.split('.');
  if (parts.some((part) => part === '' || PROTO_FIELDS.has(part))) notCompiled(`field path ${path}`);
  // A top-level array is resolved element-wise by mingo only for dotted paths.
  if (parts.length === 1) return fieldReader(path);
  return dottedPath(path);
}

/**
 * A dotted path read as mingo's `resolve` reads it. Array indexes (`a.0`) and arrays on the way
 * (`$stageLog.stage` over several entries) resolve element-wise there: left to it. Through
 * documents, a plain walk gives its result without its per-call parsing.
 */
function dottedPath(path: string): (root: Doc | unknown[]) => unknown {
  const parts = path.split('.');
  const throughArrays = (root: unknown): unknown => resolve(root as Doc, path) as unknown;
  if (parts.some((part) => /^\d+$/.test(part))) return throughArrays;
  return pathReader(parts, throughArrays);
}

function variablePath(name: string, rest: string | undefined, scope: Scope): Fn {
  if (name === 'REMOVE') return () => undefined;
  if (name === 'ROOT' || name === 'CURRENT') return rest === undefined ? (doc) => doc : fieldPath(rest);
  if (name === 'NOW' || !scope.has(name)) notCompiled(`variable $$${name}`);
  if (rest === undefined) return (_doc, vars) => vars[name];
  if (rest.split('.').some((part) => PROTO_FIELDS.has(part))) notCompiled(`path $$${name}.${rest}`);
  const read = dottedPath(rest);
  return (_doc, vars) => {
    const value = vars[name];
    return isPlainObject(value) || Array.isArray(value) ? read(value) : value;
  };
}

function constant(value: unknown): Fn {
  return () => value;
}

/**
 * The value of an argument known at compile time (a number or a string that is no path), so
 * that an operator can use it directly instead of calling a closure for it per document.
 */
function literal(expr: unknown): { value: number | string } | undefined {
  if (typeof expr === 'number') return { value: expr };
  if (typeof expr === 'string' && !expr.startsWith('$')) return { value: expr };
  return undefined;
}

/** The expression as a tree of closures, one per operator (the reference for the generated code). */
export function closureOf(expr: unknown, scope: Scope): Fn {
  if (typeof expr === 'string') {
    if (expr[0] !== '$') return constant(expr);
    if (expr.startsWith('$$')) {
      const dot = expr.indexOf('.');
      const name = expr.slice(2, dot === -1 ? undefined : dot);
      return variablePath(name, dot === -1 ? undefined : expr.slice(dot + 1), scope);
    }
    return fieldPath(expr.slice(1));
  }
  if (Array.isArray(expr)) {
    const items = expr.map((item) => closureOf(item, scope));
    return (doc, vars) => items.map((item) => item(doc, vars));
  }
  if (isPlainObject(expr)) {
    const keys = Object.keys(expr);
    if (keys.length === 1 && keys[0]!.startsWith('$')) return compileOperator(keys[0]!, expr[keys[0]!], scope);
    if (keys.some((key) => key.startsWith('$') || key.includes('.') || PROTO_FIELDS.has(key))) notCompiled('object expression');
    const fields = keys.map((key) => [key, closureOf(expr[key], scope)] as const);
    return (doc, vars) => {
      const out: Doc = {};
      for (const [key, fn] of fields) out[key] = fn(doc, vars);
      return out;
    };
  }
  return constant(expr);
}

function args(expr: unknown, count: number | undefined, scope: Scope): Fn[] {
  if (!Array.isArray(expr) || (count !== undefined && expr.length !== count)) notCompiled('operator arguments');
  return expr.map((item) => closureOf(item, scope));
}

type Compiler = (expr: unknown, scope: Scope) => Fn;

/** Mirrors mingo's expression `$eq`: arrays on the left match an element too. */
function equals(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  // A comparison with null (`{$eq: [{$ifNull: …}, null]}`): only nil equals it, or an array holding nil.
  if (b === null && !Array.isArray(a)) return isNil(a);
  if (isEqual(a, b)) return true;
  if (isNil(a) && isNil(b)) return true;
  if (Array.isArray(a)) return a.some((v) => isEqual(v, b)) || flatten(a, 1).some((v) => isEqual(v, b));
  return false;
}

/** The ordering operators: the test on a comparison's result, and the JavaScript operator for two numbers. */
const COMPARISONS = {
  $gt: { test: (c: number) => c > 0, js: '>' },
  $gte: { test: (c: number) => c >= 0, js: '>=' },
  $lt: { test: (c: number) => c < 0, js: '<' },
  $lte: { test: (c: number) => c <= 0, js: '<=' },
} as const;

/** Mirrors mingo's `$gt`…`$lte`: only values of the same type compare; arrays on the left by element. */
function ordered(test: (c: number) => boolean): Compiler {
  return (expr, scope) => {
    const [a, b] = args(expr, 2, scope) as [Fn, Fn];
    const right = Array.isArray(expr) ? literal(expr[1]) : undefined;
    if (right && typeof right.value === 'number' && !Number.isNaN(right.value)) {
      // A comparison with a number (an `$indexOfBytes` result against 0): no closure for it.
      const y = right.value;
      return (doc, vars) => {
        const x = a(doc, vars);
        if (typeof x === 'number' && !Number.isNaN(x)) return test(x < y ? -1 : x > y ? 1 : 0);
        return compareOrdered(test, x, y);
      };
    }
    return (doc, vars) => compareOrdered(test, a(doc, vars), b(doc, vars));
  };
}

function compareOrdered(test: (c: number) => boolean, x: unknown, y: unknown): boolean {
  if (typeof x === 'number' && typeof y === 'number') return test(x < y ? -1 : x > y ? 1 : x === y ? 0 : compare(x, y));
  // Dates (validity windows) compare by time, as mingo's compare does, without its type dispatch.
  if (x instanceof Date && y instanceof Date) {
    const tx = x.getTime();
    const ty = y.getTime();
    if (!Number.isNaN(tx) && !Number.isNaN(ty)) return test(tx < ty ? -1 : tx > ty ? 1 : 0);
  }
  const type = typeOf(y);
  for (const v of ensureArray(x)) if (typeOf(v) === type && test(compare(v, y))) return true;
  return false;
}

/** mingo's `$round` for a precision ≥ 0, digit for digit (half to even only at precision 0). */
function roundAsMingo(num: number, precision: number): number {
  const sign = Math.abs(num) === num ? 1 : -1;
  const magnitude = Math.abs(num);
  let result = Math.trunc(magnitude);
  const decimals = parseFloat((magnitude - result).toFixed(precision + 1));
  if (precision === 0) {
    const firstDigit = Math.trunc(10 * decimals);
    if (((result & 1) === 1 && firstDigit >= 5) || firstDigit > 5) result += 1;
  } else {
    const offset = 10 ** precision;
    let remainder = Math.trunc(decimals * offset);
    if (Math.trunc(decimals * offset * 10) % 10 > 5) remainder += 1;
    result = (result * offset + remainder) / offset;
  }
  return result * sign;
}

/** Every argument's value; null when one is nil (mingo's rule), a deopt when one has another type. */
function argumentValues<T>(fns: Fn[], doc: Doc, vars: Vars, accepts: (value: unknown) => value is T): T[] | null {
  const values: T[] = [];
  for (const fn of fns) {
    const value = fn(doc, vars);
    if (isNil(value)) return null;
    if (!accepts(value)) deopt();
    values.push(value);
  }
  return values;
}

function isArray(value: unknown): value is unknown[] {
  return Array.isArray(value);
}

/** Two numeric arguments: nil makes the result null (mingo's rule for most arithmetic), another type deopts, in argument order. */
function binary(expr: unknown, scope: Scope, op: (x: number, y: number) => unknown): Fn {
  const [a, b] = args(expr, 2, scope) as [Fn, Fn];
  return (doc, vars) => {
    const x = a(doc, vars);
    if (isNil(x)) return null;
    if (!isNumber(x)) deopt();
    const y = b(doc, vars);
    if (isNil(y)) return null;
    if (!isNumber(y)) deopt();
    return op(x, y);
  };
}

/** One numeric argument, as `binary`. */
function single(expr: unknown, scope: Scope, op: (x: number) => number): Fn {
  const fn = unary(expr, scope);
  return (doc, vars) => {
    const x = fn(doc, vars);
    if (isNil(x)) return null;
    if (!isNumber(x)) deopt();
    return op(x);
  };
}

/** A one-argument operator's argument; mingo evaluates the `[x]` form as an array, so it is left to mingo. */
function unaryArg(expr: unknown): unknown {
  return Array.isArray(expr) ? notCompiled('operator argument as an array') : expr;
}

function unary(expr: unknown, scope: Scope): Fn {
  return closureOf(unaryArg(expr), scope);
}

/**
 * Variables for an iteration's body: a flat copy of the outer ones, to which the body's variable is
 * added. A scope inheriting them by prototype (Object.create) gets a new hidden class per call, so
 * every variable read in the body missed V8's inline caches: a $map over two org units (a
 * report's roll-up) cost 5–6 µs that way, 0.6–0.8 µs with the copy.
 */
function scopeWith(vars: Vars): Vars {
  return { ...vars };
}

/** `$map`/`$filter`: the input array, the variable name, the body compiled with it in scope. */
function iteration(expr: unknown, scope: Scope, body: 'in' | 'cond'): { input: Fn; as: string; body: Fn } {
  if (!isPlainObject(expr) || expr.input === undefined || expr[body] === undefined) notCompiled('iteration');
  const keys = Object.keys(expr);
  if (keys.some((key) => key !== 'input' && key !== 'as' && key !== body)) notCompiled('iteration options');
  const as = expr.as ?? 'this';
  if (typeof as !== 'string' || as === '') notCompiled('iteration variable');
  return { input: closureOf(expr.input, scope), as, body: closureOf(expr[body], new Set([...scope, as])) };
}

/** Values whose mingo equality is exactly `keyOf` equality. */
function hashable(value: unknown): boolean {
  const type = typeof value;
  return type === 'string' || type === 'boolean' || value instanceof ObjectId || value instanceof Date;
}

/** mingo's `unique` (first occurrences, in order), by `keyOf` when every value's equality is `keyOf`'s. */
function distinct(values: unknown[]): unknown[] {
  // (Loops, not every/filter: a roll-up evaluates this for every new set of units, and each
  // callback was a closure allocated per call.)
  let scalars = true;
  let ids = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    // Null too (the org roll-up maps units above its level to null): only null equals it, while
    // `keyOf` would merge undefined with it, so undefined is left to mingo.
    if (!(typeof v === 'number' || v === null || hashable(v))) return unique(values);
    // NaN, which indexOf never finds, goes by key.
    if (!(typeof v === 'string' || (typeof v === 'number' && !Number.isNaN(v)))) scalars = false;
    if (!(v === null || v instanceof ObjectId)) ids = false;
  }
  if (values.length <= SMALL_ARRAY && (scalars || ids)) {
    // A few strings or numbers (a resource's issuers, categories, org levels), or a few ObjectIds
    // and nulls (a report's roll-up of a resource's units, ObjectIds by their bytes): compared
    // directly, no sets to build.
    const out: unknown[] = [];
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      let first = true;
      for (let j = 0; j < i && first; j++) {
        const w = values[j];
        first = scalars ? w !== v : v === null ? w !== null : !(w instanceof ObjectId && sameObjectId(w, v as ObjectId));
      }
      if (first) out.push(v);
    }
    return out;
  }
  // Strings are their own key; other values go by keyOf in a set of their own.
  const strings = new Set<string>();
  const keys = new Set<string>();
  return values.filter((v) => (typeof v === 'string' ? firstSeen(strings, v) : firstSeen(keys, keyOf(v))));
}

const SMALL_ARRAY = 8;

function sameObjectId(a: ObjectId, b: ObjectId): boolean {
  const x = a.id;
  const y = b.id;
  for (let i = 11; i >= 0; i--) if (x[i] !== y[i]) return false;
  return true;
}

function firstSeen(seen: Set<string>, key: string): boolean {
  if (seen.has(key)) return false;
  seen.add(key);
  return true;
}

/** `$in` against a literal array of scalars keyed by `keyOf` is a set probe. */
function literalSet(expr: unknown): Set<string> | undefined {
  if (!Array.isArray(expr)) return undefined;
  return expr.every(hashable) ? new Set(expr.map(keyOf)) : undefined;
}

function dateArgs(expr: unknown, scope: Scope): { date: Fn; zone: (doc: Doc, vars: Vars) => Zone } {
  if (isPlainObject(expr) && 'date' in expr) {
    if (Object.keys(expr).some((key) => key !== 'date' && key !== 'timezone')) notCompiled('date operator options');
    return { date: closureOf(expr.date, scope), zone: zoneArg(expr.timezone, scope) };
  }
  return { date: unary(expr, scope), zone: () => zoneOf(undefined)! };
}

function zoneArg(expr: unknown, scope: Scope): (doc: Doc, vars: Vars) => Zone {
  if (expr === undefined) return () => zoneOf(undefined)!;
  const fn = closureOf(expr, scope);
  return (doc, vars) => {
    const name = fn(doc, vars);
    if (name !== undefined && typeof name !== 'string') deopt();
    return zoneOf(name) ?? deopt();
  };
}

function datePart(part: (p: ReturnType<typeof localParts>) => number): Compiler {
  return (expr, scope) => {
    const { date, zone } = dateArgs(expr, scope);
    return (doc, vars) => {
      const value = date(doc, vars);
      if (!(value instanceof Date)) deopt();
      return part(localParts(value.getTime(), zone(doc, vars)));
    };
  };
}

/** A `$dateTrunc`'s arguments; `fixedZone` when its time zone is a literal (or the default, UTC). */
export interface DateTruncation {
  date: Fn;
  unit: TruncUnit;
  weekStart: number;
  zone: (doc: Doc, vars: Vars) => Zone;
  fixedZone: Zone | undefined;
}

/** The arguments of a `$dateTrunc` this compiler runs (a literal unit and week start, no bins); NotCompiled otherwise. */
export function dateTruncation(expr: unknown, scope: Scope): DateTruncation {
  const spec = options(expr, ['date', 'unit', 'timezone', 'startOfWeek', 'binSize'], '$dateTrunc');
  if (spec.binSize !== undefined && spec.binSize !== 1) notCompiled('$dateTrunc binSize');
  if (typeof spec.unit !== 'string' || !TRUNC_UNITS.includes(spec.unit as TruncUnit)) notCompiled('$dateTrunc unit');
  const weekStart = spec.startOfWeek === undefined ? 0 : typeof spec.startOfWeek === 'string' ? weekStartOf(spec.startOfWeek) : undefined;
  if (weekStart === undefined) notCompiled('$dateTrunc startOfWeek');
  const { timezone } = spec;
  return {
    date: closureOf(spec.date, scope),
    unit: spec.unit as TruncUnit,
    weekStart,
    zone: zoneArg(timezone, scope),
    fixedZone: timezone === undefined || (typeof timezone === 'string' && !timezone.startsWith('$')) ? zoneOf(timezone) : undefined,
  };
}

function options(expr: unknown, allowed: string[], what: string): Doc {
  if (!isPlainObject(expr) || Object.keys(expr).some((key) => !allowed.includes(key))) notCompiled(what);
  return expr;
}

/** `$filter` and `$map`: `body` evaluated for each element of `input` (bound to `as`), collected by `collect`. */
function perElement(body: 'in' | 'cond', collect: (element: unknown, result: unknown, out: unknown[]) => void): Compiler {
  return (expr, scope) => {
    const iterated = iteration(expr, scope, body);
    return (doc, vars) => {
      const array = iterated.input(doc, vars);
      if (isNil(array)) return null;
      if (!Array.isArray(array)) deopt();
      const inner = scopeWith(vars);
      const out: unknown[] = [];
      // Indexed: a `for…of` that V8 leaves unoptimised allocates an iterator result per element.
      for (let i = 0; i < array.length; i++) {
        const element: unknown = array[i];
        inner[iterated.as] = element;
        collect(element, iterated.body(doc, inner), out);
      }
      return out;
    };
  };
}

const OPERATORS: Record<string, Compiler> = {
  $literal: (expr) => constant(expr),
  $eq: (expr, scope) => {
    const [a, b] = args(expr, 2, scope) as [Fn, Fn];
    return (doc, vars) => equals(a(doc, vars), b(doc, vars));
  },
  $ne: (expr, scope) => {
    const [a, b] = args(expr, 2, scope) as [Fn, Fn];
    return (doc, vars) => !equals(a(doc, vars), b(doc, vars));
  },
  $gt: ordered(COMPARISONS.$gt.test),
  $gte: ordered(COMPARISONS.$gte.test),
  $lt: ordered(COMPARISONS.$lt.test),
  $lte: ordered(COMPARISONS.$lte.test),
  $cmp: (expr, scope) => {
    const [a, b] = args(expr, 2, scope) as [Fn, Fn];
    return (doc, vars) => compare(a(doc, vars), b(doc, vars));
  },
  $and: (expr, scope) => {
    const fns = args(expr, undefined, scope);
    return (doc, vars) => {
      for (const fn of fns) if (!truthy(fn(doc, vars))) return false;
      return true;
    };
  },
  $or: (expr, scope) => {
    const fns = args(expr, undefined, scope);
    return (doc, vars) => {
      for (const fn of fns) if (truthy(fn(doc, vars))) return true;
      return false;
    };
  },
  $not: (expr, scope) => {
    const fn = closureOf(Array.isArray(expr) ? (expr.length === 1 ? expr[0] : notCompiled('$not')) : expr, scope);
    // mingo negates with plain JavaScript truthiness here.
    return (doc, vars) => !fn(doc, vars);
  },
  $cond: (expr, scope) => {
    const parts = Array.isArray(expr) ? expr : isPlainObject(expr) ? [expr.if, expr.then, expr.else] : notCompiled('$cond');
    if (parts.length !== 3) notCompiled('$cond');
    const [test, then, otherwise] = parts.map((part) => closureOf(part, scope)) as [Fn, Fn, Fn];
    return (doc, vars) => (truthy(test(doc, vars)) ? then(doc, vars) : otherwise(doc, vars));
  },
  $ifNull: (expr, scope) => {
    const fns = args(expr, undefined, scope);
    return (doc, vars) => {
      let value: unknown;
      for (const fn of fns) {
        value = fn(doc, vars);
        if (!isNil(value)) return value;
      }
      return value;
    };
  },
  $add: (expr, scope) => {
    const fns = args(expr, undefined, scope);
    return (doc, vars) => {
      let sum = 0;
      let date = false;
      for (const fn of fns) {
        const value = fn(doc, vars);
        if (isNil(value)) return null;
        if (typeof value === 'number') sum += value;
        else if (value instanceof Date && !date) {
          date = true;
          sum += value.getTime();
        } else deopt();
      }
      return date ? new Date(sum) : sum;
    };
  },
  $subtract: (expr, scope) => {
    const [a, b] = args(expr, 2, scope) as [Fn, Fn];
    return (doc, vars) => {
      const x = a(doc, vars);
      const y = b(doc, vars);
      if (isNil(x) || isNil(y)) return null;
      if (x instanceof Date && isNumber(y)) return new Date(x.getTime() - Math.round(y));
      if (x instanceof Date && y instanceof Date) return x.getTime() - y.getTime();
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      return deopt();
    };
  },
  $multiply: (expr, scope) => {
    const fns = args(expr, undefined, scope);
    return (doc, vars) => {
      let product = 1;
      for (const fn of fns) {
        const value = fn(doc, vars);
        if (isNil(value)) return null;
        if (!isNumber(value)) deopt();
        product *= value;
      }
      return product;
    };
  },
  $divide: (expr, scope) => binary(expr, scope, (x, y) => (y === 0 ? deopt() : x / y)),
  // mingo rejects 0 to a negative power; that error stays mingo's.
  $pow: (expr, scope) => binary(expr, scope, (x, y) => (x === 0 && y < 0 ? deopt() : Math.pow(x, y))),
  $floor: (expr, scope) => single(expr, scope, Math.floor),
  $ceil: (expr, scope) => single(expr, scope, Math.ceil),
  $round: (expr, scope) => {
    if (!Array.isArray(expr) || expr.length < 1 || expr.length > 2) notCompiled('$round');
    const precision: unknown = expr[1] ?? 0;
    if (typeof precision !== 'number' || !Number.isInteger(precision) || precision < 0 || precision > 100) notCompiled('$round precision');
    const fn = closureOf(expr[0], scope);
    return (doc, vars) => {
      const value = fn(doc, vars);
      if (isNil(value)) return null;
      if (typeof value !== 'number') deopt();
      return Number.isFinite(value) ? roundAsMingo(value, precision as number) : value;
    };
  },
  // The two-argument form; mingo returns the UTF-16 index (not the byte offset) and so does this.
  $indexOfBytes: (expr, scope) => {
    const [a, b] = args(expr, 2, scope) as [Fn, Fn];
    const needle = Array.isArray(expr) ? literal(expr[1]) : undefined;
    if (needle && typeof needle.value === 'string') {
      const search = needle.value;
      return (doc, vars) => {
        const text = a(doc, vars);
        if (isNil(text)) return null;
        if (typeof text !== 'string') deopt();
        return text.indexOf(search);
      };
    }
    return (doc, vars) => {
      const text = a(doc, vars);
      if (isNil(text)) return null;
      const search = b(doc, vars);
      if (typeof text !== 'string' || typeof search !== 'string') deopt();
      return text.indexOf(search);
    };
  },
  $size: (expr, scope) => {
    const fn = unary(expr, scope);
    return (doc, vars) => {
      const value = fn(doc, vars);
      if (isNil(value)) return null;
      return Array.isArray(value) ? value.length : deopt();
    };
  },
  // `$sum` as an expression, as mingo computes it: the argument (a list of expressions is a
  // list of values) must resolve to an array, whose numbers are summed.
  $sum: (expr, scope) => {
    const fn = closureOf(expr, scope);
    return (doc, vars) => {
      const values = fn(doc, vars);
      if (!Array.isArray(values)) deopt();
      let sum = 0;
      for (const value of values as unknown[]) if (isNumber(value)) sum += value;
      return sum;
    };
  },
  $arrayElemAt: (expr, scope) => {
    const [a, b] = args(expr, 2, scope) as [Fn, Fn];
    const at = Array.isArray(expr) ? literal(expr[1]) : undefined;
    if (at && typeof at.value === 'number' && Number.isInteger(at.value) && at.value >= 0) {
      // A fixed position from the start (a ranking text at the head of an array).
      const i = at.value;
      return (doc, vars) => {
        const array = a(doc, vars);
        if (isNil(array)) return null;
        if (!Array.isArray(array)) deopt();
        return i < array.length ? (array[i] as unknown) : undefined;
      };
    }
    return (doc, vars) => {
      const array = a(doc, vars);
      const index = b(doc, vars);
      if (isNil(array) || isNil(index)) return null;
      if (!Array.isArray(array) || !Number.isInteger(index)) deopt();
      const i = index as number;
      if (i < 0) return -i <= array.length ? array[i + array.length] : undefined;
      return i < array.length ? array[i] : undefined;
    };
  },
  $in: (expr, scope) => {
    const [item, list] = args(expr, 2, scope) as [Fn, Fn];
    const keys = Array.isArray(expr) ? literalSet(expr[1]) : undefined;
    if (keys) {
      // Strings are looked up as they are, without building their key.
      const strings = new Set((expr as unknown[][])[1]!.filter((v): v is string => typeof v === 'string'));
      return (doc, vars) => {
        const value = item(doc, vars);
        if (typeof value === 'string') return strings.has(value);
        // Only values of the literal's types can be equal to one of its elements.
        return hashable(value) && keys.has(keyOf(value));
      };
    }
    return (doc, vars) => {
      const array = list(doc, vars);
      if (!Array.isArray(array)) deopt();
      const value = item(doc, vars);
      return array.some((v) => isEqual(v, value));
    };
  },
  $filter: perElement('cond', (element, keep, out) => {
    if (truthy(keep)) out.push(element);
  }),
  $map: perElement('in', (_element, value, out) => {
    out.push(value);
  }),
  $concatArrays: (expr, scope) => {
    const fns = args(expr, undefined, scope);
    return (doc, vars) => argumentValues(fns, doc, vars, isArray)?.flat(1) ?? null;
  },
  $setUnion: (expr, scope) => {
    const fns = args(expr, undefined, scope);
    return (doc, vars) => {
      // The arrays' elements in order (mingo flattens one level), then the first of each value.
      const values: unknown[] = [];
      for (let i = 0; i < fns.length; i++) {
        const array = fns[i]!(doc, vars);
        if (!Array.isArray(array)) deopt();
        for (let j = 0; j < (array as unknown[]).length; j++) values.push((array as unknown[])[j]);
      }
      return distinct(values);
    };
  },
  $setIntersection: (expr, scope) => {
    const fns = args(expr, undefined, scope);
    return (doc, vars) => {
      const arrays = fns.map((fn) => fn(doc, vars));
      if (arrays.some(isNil)) return null;
      if (!arrays.every(Array.isArray)) deopt();
      return intersection(arrays as unknown[][]);
    };
  },
  $type: (expr, scope) => {
    const fn = unary(expr, scope);
    return (doc, vars) => {
      const value = fn(doc, vars);
      if (value === undefined) return 'missing';
      if (typeof value === 'boolean') return 'bool';
      if (isNumber(value)) return value % 1 !== 0 ? 'double' : value >= -2147483648 && value <= 2147483647 ? 'int' : 'long';
      if (value instanceof RegExp) return 'regex';
      return typeOf(value);
    };
  },
  $year: datePart((p) => p.year),
  $month: datePart((p) => p.month),
  $dayOfMonth: datePart((p) => p.day),
  $hour: datePart((p) => p.hour),
  $minute: datePart((p) => p.minute),
  $second: datePart((p) => p.second),
  $millisecond: datePart((p) => p.millisecond),
  $dayOfWeek: datePart(dayOfWeek),
  $dayOfYear: datePart(dayOfYear),
  $dateTrunc: (expr, scope) => {
    const { date, unit, weekStart, zone } = dateTruncation(expr, scope);
    return (doc, vars) => {
      const value = date(doc, vars);
      if (isNil(value)) return null;
      if (!(value instanceof Date)) deopt();
      return new Date(truncate(value.getTime(), unit, zone(doc, vars), weekStart));
    };
  },
  $dateToString: (expr, scope) => {
    const spec = options(expr, ['date', 'format', 'timezone', 'onNull'], '$dateToString');
    if (spec.format !== undefined && typeof spec.format !== 'string') notCompiled('$dateToString format');
    if (spec.format === undefined && spec.timezone !== undefined) notCompiled('$dateToString default format in a zone');
    const format = (spec.format as string | undefined) ?? DEFAULT_DATE_FORMAT;
    const date = closureOf(spec.date, scope);
    const zone = zoneArg(spec.timezone, scope);
    const onNull = spec.onNull === undefined ? undefined : closureOf(spec.onNull, scope);
    return (doc, vars) => {
      const value = date(doc, vars);
      if (isNil(value)) return onNull ? onNull(doc, vars) : null;
      if (!(value instanceof Date)) deopt();
      return formatDate(value.getTime(), format, zone(doc, vars)) ?? deopt();
    };
  },
  $dateToParts: (expr, scope) => {
    const spec = options(expr, ['date', 'timezone', 'iso8601'], '$dateToParts');
    if (spec.iso8601 !== undefined && spec.iso8601 !== false) notCompiled('$dateToParts iso8601');
    const date = closureOf(spec.date, scope);
    const zone = zoneArg(spec.timezone, scope);
    return (doc, vars) => {
      const value = date(doc, vars);
      if (isNil(value)) return null;
      if (!(value instanceof Date)) deopt();
      return { ...localParts(value.getTime(), zone(doc, vars)) };
    };
  },
};

function compileOperator(name: string, expr: unknown, scope: Scope): Fn {
  const compiler = OPERATORS[name];
  if (!compiler) notCompiled(`operator ${name}`);
  return compiler(expr, scope);
}

/*
 * Generated code. A closure tree costs a call per operator per document, through call sites
 * shared by every expression (megamorphic, never inlined): for a search's score that is most of
 * its cost. So the operators below are also written out as one straight-line JavaScript
 * function per expression, which V8 compiles like hand-written code. What goes into the source
 * text is fixed code, temporaries and constant slots only: every literal of the expression
 * (strings, numbers, dates, literal sets) is a slot of a constants array passed in, and field
 * names appear as JSON string literals. The source therefore depends only on the expression's
 * shape, and functions generated from the same source share one compiled function (and its
 * optimised code) across commands. Operators and paths not written out here run as their
 * closures, called from the generated code; every operator mirrors its closure exactly,
 * `Deopt`s included (differential tests in expressions.test.ts).
 */

/** A generated value: an atom (temporary, constant slot or literal) that may be read repeatedly. */
interface Value {
  code: string;
  /** Known to be a boolean: tested without MongoDB's truthiness. */
  boolean?: boolean;
}

/** Helpers the generated code calls, passed in as parameters (never reached through a name in the expression). */
const HELPERS = { deopt, equals, compareOrdered } as const;

class Emitter {
  readonly constants: unknown[] = [];
  private lines: string[] = [];
  private temps = 0;

  /** A slot holding a value of the expression (its literals, fallback closures). */
  constant(value: unknown): string {
    this.constants.push(value);
    return `k${this.constants.length - 1}`;
  }

  temp(): string {
    return `t${this.temps++}`;
  }

  line(code: string): void {
    this.lines.push(code);
  }

  /** The lines `emit` writes, as a block of their own (a branch). */
  block(emit: () => void): string {
    const outer = this.lines;
    this.lines = [];
    emit();
    const inner = this.lines.join('\n');
    this.lines = outer;
    return inner;
  }

  source(result: Value): string {
    const slots = this.constants.map((_, i) => `const k${i} = c[${i}];`).join('\n');
    const temps = this.temps > 0 ? `let ${Array.from({ length: this.temps }, (_, i) => `t${i}`).join(', ')};` : '';
    return `"use strict";\nconst { deopt, equals, compareOrdered } = h;\n${slots}\nreturn function generated(doc, vars) {\n${temps}\n${this.lines.join('\n')}\nreturn ${result.code};\n};`;
  }
}

type Generator = (expr: unknown, scope: Scope, out: Emitter) => Value;

const nil = (v: string): string => `(${v} === null || ${v} === undefined)`;
const number = (v: string): string => `(typeof ${v} === "number" && ${v} === ${v})`;
const truthyCode = (v: Value): string => (v.boolean ? v.code : `(${v.code} || ${v.code} === "")`);

/** Writes `expr` out, or calls its closure where it is not written out. */
function generate(expr: unknown, scope: Scope, out: Emitter): Value {
  if (typeof expr === 'string' && expr.startsWith('$') && !expr.startsWith('$$') && !expr.includes('.')) {
    const field = expr.slice(1);
    // The closure path refuses these (the stage runs through mingo); closureOf raised it already.
    if (field === '' || PROTO_FIELDS.has(field)) return viaClosure(expr, scope, out);
    const t = out.temp();
    out.line(`${t} = doc[${JSON.stringify(field)}];`);
    return { code: t };
  }
  if (typeof expr === 'string' && !expr.startsWith('$')) return { code: out.constant(expr) };
  // Numbers, booleans, null, dates, ObjectIds…: constants, as closureOf makes them.
  if (typeof expr !== 'string' && !Array.isArray(expr) && !isPlainObject(expr)) return { code: out.constant(expr) };
  if (isPlainObject(expr)) {
    const [name, ...others] = Object.keys(expr);
    const generator = name !== undefined && others.length === 0 && Object.hasOwn(GENERATORS, name) ? GENERATORS[name] : undefined;
    if (generator) return generator((expr as Doc)[name!], scope, out);
  }
  return viaClosure(expr, scope, out);
}

function viaClosure(expr: unknown, scope: Scope, out: Emitter): Value {
  const fn = out.constant(closureOf(expr, scope));
  const t = out.temp();
  out.line(`${t} = ${fn}(doc, vars);`);
  return { code: t };
}

function generateArgs(expr: unknown, count: number | undefined): unknown[] {
  if (!Array.isArray(expr) || (count !== undefined && expr.length !== count)) notCompiled('operator arguments');
  return expr;
}

/** Evaluates `args` one after the other, each step in the branch the previous one leaves open. */
function chain(args: readonly unknown[], step: (value: Value, rest: () => void) => void, done: () => void, scope: Scope, out: Emitter): void {
  const at = (i: number): void => {
    if (i === args.length) return done();
    step(generate(args[i], scope, out), () => at(i + 1));
  };
  at(0);
}

function comparison(name: keyof typeof COMPARISONS): Generator {
  const { js } = COMPARISONS[name];
  return (expr, scope, out) => {
    const [left, right] = generateArgs(expr, 2);
    const test = out.constant(COMPARISONS[name].test);
    const a = generate(left, scope, out);
    const t = out.temp();
    const literalRight = literal(right);
    if (literalRight && typeof literalRight.value === 'number' && !Number.isNaN(literalRight.value)) {
      const y = out.constant(literalRight.value);
      out.line(`${t} = ${number(a.code)} ? ${a.code} ${js} ${y} : compareOrdered(${test}, ${a.code}, ${y});`);
      return { code: t, boolean: true };
    }
    const b = generate(right, scope, out);
    // Numbers and valid dates compare directly, as compareOrdered compares them.
    out.line(
      `if (typeof ${a.code} === "number" && typeof ${b.code} === "number" && ${a.code} === ${a.code} && ${b.code} === ${b.code}) ${t} = ${a.code} ${js} ${b.code};` +
        `\nelse if (${a.code} instanceof Date && ${b.code} instanceof Date && ${a.code}.getTime() === ${a.code}.getTime() && ${b.code}.getTime() === ${b.code}.getTime()) ${t} = ${a.code}.getTime() ${js} ${b.code}.getTime();` +
        `\nelse ${t} = compareOrdered(${test}, ${a.code}, ${b.code});`,
    );
    return { code: t, boolean: true };
  };
}

function equality(negated: boolean): Generator {
  return (expr, scope, out) => {
    const [left, right] = generateArgs(expr, 2);
    const a = generate(left, scope, out);
    const b = generate(right, scope, out);
    const t = out.temp();
    out.line(`${t} = ${negated ? '!' : ''}(typeof ${a.code} === "string" && typeof ${b.code} === "string" ? ${a.code} === ${b.code} : equals(${a.code}, ${b.code}));`);
    return { code: t, boolean: true };
  };
}

/** `$and` / `$or`: the first argument that decides ends it, as in the closures. */
function logical(decidesWhen: boolean): Generator {
  return (expr, scope, out) => {
    const t = out.temp();
    chain(
      generateArgs(expr, undefined),
      (value, rest) => {
        const test = truthyCode(value);
        out.line(`if (${decidesWhen ? test : `!${test}`}) ${t} = ${decidesWhen};\nelse {\n${out.block(rest)}\n}`);
      },
      () => out.line(`${t} = ${!decidesWhen};`),
      scope,
      out,
    );
    return { code: t, boolean: true };
  };
}

/** Numeric arguments in order: nil makes the result null (later arguments not evaluated), another type deopts. */
function numericChain(expr: unknown, count: number | undefined, scope: Scope, out: Emitter, result: (values: string[]) => string): Value {
  const t = out.temp();
  const values: string[] = [];
  chain(
    generateArgs(expr, count),
    (value, rest) => {
      values.push(value.code);
      out.line(`if (${nil(value.code)}) ${t} = null;\nelse {\nif (!${number(value.code)}) deopt();\n${out.block(rest)}\n}`);
    },
    () => out.line(`${t} = ${result(values)};`),
    scope,
    out,
  );
  return { code: t };
}

const GENERATORS: Record<string, Generator> = {
  $literal: (expr, _scope, out) => ({ code: out.constant(expr) }),
  $eq: equality(false),
  $ne: equality(true),
  $gt: comparison('$gt'),
  $gte: comparison('$gte'),
  $lt: comparison('$lt'),
  $lte: comparison('$lte'),
  $and: logical(false),
  $or: logical(true),
  $not: (expr, scope, out) => {
    const value = generate(Array.isArray(expr) ? (expr.length === 1 ? expr[0] : notCompiled('$not')) : expr, scope, out);
    const t = out.temp();
    // Plain JavaScript truthiness, as the closure (and mingo).
    out.line(`${t} = !${value.code};`);
    return { code: t, boolean: true };
  },
  $cond: (expr, scope, out) => {
    const parts = Array.isArray(expr) ? expr : isPlainObject(expr) ? [expr.if, expr.then, expr.else] : notCompiled('$cond');
    if (parts.length !== 3) notCompiled('$cond');
    const test = generate(parts[0], scope, out);
    const t = out.temp();
    const branch = (part: unknown) =>
      out.block(() => {
        const value = generate(part, scope, out);
        out.line(`${t} = ${value.code};`);
      });
    out.line(`if (${truthyCode(test)}) {\n${branch(parts[1])}\n} else {\n${branch(parts[2])}\n}`);
    return { code: t };
  },
  $ifNull: (expr, scope, out) => {
    const t = out.temp();
    chain(
      generateArgs(expr, undefined),
      (value, rest) => out.line(`${t} = ${value.code};\nif (${nil(t)}) {\n${out.block(rest)}\n}`),
      () => undefined,
      scope,
      out,
    );
    return { code: t };
  },
  $add: (expr, scope, out) => {
    const t = out.temp();
    const sum = out.temp();
    const date = out.temp();
    out.line(`${sum} = 0; ${date} = false;`);
    chain(
      generateArgs(expr, undefined),
      (value, rest) => {
        const v = value.code;
        out.line(
          `if (${nil(v)}) ${t} = null;\nelse {\nif (typeof ${v} === "number") ${sum} += ${v};\nelse if (${v} instanceof Date && !${date}) { ${date} = true; ${sum} += ${v}.getTime(); }\nelse deopt();\n${out.block(rest)}\n}`,
        );
      },
      () => out.line(`${t} = ${date} ? new Date(${sum}) : ${sum};`),
      scope,
      out,
    );
    return { code: t };
  },
  $subtract: (expr, scope, out) => {
    const [left, right] = generateArgs(expr, 2);
    const x = generate(left, scope, out).code;
    const y = generate(right, scope, out).code;
    const t = out.temp();
    out.line(
      `if (${nil(x)} || ${nil(y)}) ${t} = null;\n` +
        `else if (${x} instanceof Date && ${number(y)}) ${t} = new Date(${x}.getTime() - Math.round(${y}));\n` +
        `else if (${x} instanceof Date && ${y} instanceof Date) ${t} = ${x}.getTime() - ${y}.getTime();\n` +
        `else if (typeof ${x} === "number" && typeof ${y} === "number") ${t} = ${x} - ${y};\n` +
        `else deopt();`,
    );
    return { code: t };
  },
  $multiply: (expr, scope, out) => numericChain(expr, undefined, scope, out, (values) => (values.length === 0 ? '1' : values.join(' * '))),
  $divide: (expr, scope, out) => numericChain(expr, 2, scope, out, ([x, y]) => `(${y} === 0 ? deopt() : ${x} / ${y})`),
  $pow: (expr, scope, out) => numericChain(expr, 2, scope, out, ([x, y]) => `(${x} === 0 && ${y} < 0 ? deopt() : Math.pow(${x}, ${y}))`),
  $floor: (expr, scope, out) => numericChain([unaryArg(expr)], 1, scope, out, ([x]) => `Math.floor(${x})`),
  $ceil: (expr, scope, out) => numericChain([unaryArg(expr)], 1, scope, out, ([x]) => `Math.ceil(${x})`),
  $indexOfBytes: (expr, scope, out) => {
    const [text, search] = generateArgs(expr, 2);
    const needle = literal(search);
    if (!needle || typeof needle.value !== 'string') return viaClosure({ $indexOfBytes: expr }, scope, out);
    const v = generate(text, scope, out).code;
    const t = out.temp();
    out.line(`if (${nil(v)}) ${t} = null;\nelse if (typeof ${v} !== "string") deopt();\nelse ${t} = ${v}.indexOf(${out.constant(needle.value)});`);
    return { code: t };
  },
  $arrayElemAt: (expr, scope, out) => {
    const [array, index] = generateArgs(expr, 2);
    const at = literal(index);
    if (!at || typeof at.value !== 'number' || !Number.isInteger(at.value) || at.value < 0) return viaClosure({ $arrayElemAt: expr }, scope, out);
    const v = generate(array, scope, out).code;
    const i = out.constant(at.value);
    const t = out.temp();
    out.line(`if (${nil(v)}) ${t} = null;\nelse if (!Array.isArray(${v})) deopt();\nelse ${t} = ${i} < ${v}.length ? ${v}[${i}] : undefined;`);
    return { code: t };
  },
  $in: (expr, scope, out) => {
    const [item, list] = generateArgs(expr, 2);
    if (!literalSet(list)) return viaClosure({ $in: expr }, scope, out);
    // Strings are looked up in a set of the literal's strings; other values through the closure's own test.
    const keys = literalSet(list)!;
    const strings = out.constant(new Set((list as unknown[]).filter((v): v is string => typeof v === 'string')));
    const others = out.constant((value: unknown) => hashable(value) && keys.has(keyOf(value)));
    const v = generate(item, scope, out).code;
    const t = out.temp();
    out.line(`${t} = typeof ${v} === "string" ? ${strings}.has(${v}) : ${others}(${v});`);
    return { code: t, boolean: true };
  },
};

type Factory = (constants: unknown[], helpers: typeof HELPERS) => Fn;

/** Expressions of one shape share a function and its optimised code (generated.ts `once`). */
function generated(expr: unknown, scope: Scope): Fn {
  const out = new Emitter();
  const result = generate(expr, scope, out);
  const source = out.source(result);
  // The source is fixed code, temporaries, slots and JSON string literals of field names only.
  const factory = once(source, () => new Function('c', 'h', source) as Factory);
  return factory(out.constants, HELPERS);
}

/**
 * An expression compiled for evaluation per document: operator expressions as generated code
 * (see above), paths and literals as their closures. The closures are compiled first in every
 * case, so that what is not compiled fails here exactly as it fails there.
 */
export function compileExpression(expr: unknown, scope: Scope): Fn {
  const closure = closureOf(expr, scope);
  if (!isPlainObject(expr) || Object.keys(expr).length !== 1 || !Object.keys(expr)[0]!.startsWith('$')) return closure;
  return generated(expr, scope);
}

export { isNil, isNumber };
