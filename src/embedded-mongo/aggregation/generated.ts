import type { Doc } from '../values.js';
import type { Fn, Vars } from './expressions.js';

/**
 * Row code generated for a stage's field names (new Function): each set of names gets its own
 * property loads and stores, written by name. One loop over field names shared by every stage
 * goes megamorphic (every stage's names and document shapes meet at one store) and adds each new
 * property through V8's slow path. Names are top-level field names (stages.ts topLevelField: no `$`
 * prefix, no dots, not `__proto__`), written into the source as JSON string literals only.
 */

export type Setter = (doc: Doc, names: readonly string[], values: readonly unknown[]) => Doc;

/**
 * Generated functions by their source. A source depends on the shape only (field names here,
 * operators and constant slots in expressions.ts), so later commands of that shape reuse the
 * function and its optimised code instead of starting cold.
 */
const compiled = new Map<string, unknown>();
const MAX_COMPILED = 1000;

export function once<F>(source: string, make: () => F): F {
  let fn = compiled.get(source) as F | undefined;
  if (!fn) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    fn = make();
    compiled.set(source, fn);
  }
  return fn;
}

/**
 * A reader of one top-level field, generated per name: one closure reading `doc[name]` for every
 * field would meet all names and all documents' shapes at one property load (megamorphic); here
 * each field has a load of its own. Names are checked by the caller (no `__proto__`, nothing
 * objects inherit).
 */
export function fieldReader(name: string): (doc: Doc) => unknown {
  const source = `return (doc) => doc[${JSON.stringify(name)}];`;
  return once(source, () => new Function(source) as () => (doc: Doc) => unknown)();
}

/**
 * A reader of a dotted path (`a.b.c`; names checked by expressions.ts fieldPath), generated per
 * path as fieldReader is: it walks through documents, ends with undefined at a missing field or a
 * non-object, and hands the root to `throughArrays` when it meets an array.
 */
export function pathReader(parts: readonly string[], throughArrays: (root: unknown) => unknown): (root: unknown) => unknown {
  const steps = parts.map(
    (part) => `if (Array.isArray(v)) return throughArrays(root);\nif (v === null || typeof v !== "object") return undefined;\nv = v[${JSON.stringify(part)}];\nif (v === undefined) return undefined;`,
  );
  const source = `return (root) => {\nlet v = root;\n${steps.join('\n')}\nreturn v;\n};`;
  const make = once(source, () => new Function('throughArrays', source) as (through: typeof throughArrays) => (root: unknown) => unknown);
  return make(throughArrays);
}

/** stages.ts copyWith on a document this run owns: the names set, or deleted for undefined values. */
export function inPlaceSetter(names: readonly string[]): Setter {
  const body = names
    .map((name, i) => `v = values[${i}]; if (v === undefined) delete doc[${JSON.stringify(name)}]; else doc[${JSON.stringify(name)}] = v;`)
    .join('\n');
  const source = `let v;\n${body}\nreturn doc;`;
  return once(source, () => new Function('doc', 'names', 'values', source) as Setter);
}

/**
 * A new document of the given fields (a `$project`, a narrowed copy): a field kept is read and
 * written by name, a computed one calls its expression; undefined values are left out. Names that
 * objects inherit (`constructor`…) are read as own properties only.
 */
export function projector(fields: ReadonlyArray<{ name: string; fn?: Fn }>): (doc: Doc, vars: Vars) => Doc {
  const body = fields.map(({ name, fn }, i) => {
    const key = JSON.stringify(name);
    if (name === '__proto__') {
      // Only a narrowed copy may name it (a filter on such a field): an own data property, read and defined as one.
      return `v = Object.getOwnPropertyDescriptor(doc, ${key})?.value; if (v !== undefined) Object.defineProperty(out, ${key}, { value: v, writable: true, enumerable: true, configurable: true });`;
    }
    const read = fn ? `fns[${i}](doc, vars)` : name in Object.prototype ? `(Object.hasOwn(doc, ${key}) ? doc[${key}] : undefined)` : `doc[${key}]`;
    return `v = ${read}; if (v !== undefined) out[${key}] = v;`;
  });
  const source = `return (doc, vars) => {\nconst out = {};\nlet v;\n${body.join('\n')}\nreturn out;\n};`;
  const make = once(source, () => new Function('fns', source) as (fns: Array<Fn | undefined>) => (doc: Doc, vars: Vars) => Doc);
  return make(fields.map((field) => field.fn));
}

/** Up to this many fields, a document built key by key keeps fast properties anyway (V8: 4 in-object + 12 more). */
const FAST_BY_ITSELF = 16;
/** Wider documents are left as they are (an object literal of hundreds of fields is not worth generating). */
const MAX_LITERAL_FIELDS = 128;
/** Field lists of recent copies, with their literal: a collection's documents come in a few shapes. */
const RECENT_SHAPES = 8;
const shapes: Array<{ names: string[]; make: (doc: Doc) => Doc }> = [];

const sameNames = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((name, i) => name === b[i]);

/**
 * The document as one object literal of its own fields, in their order: V8 gives such an object
 * fast properties, all in the object. A document decoded from BSON gets its fields one keyed store
 * at a time, and past 16 of them V8 makes it a dictionary: every field read is then a hash probe
 * into a table of its own (a resource has ~23 fields; a search reads ten of them per candidate).
 * Values are shared with the original, not copied. Field names are written as JSON string
 * literals; a document with an own `__proto__` field (which a literal would take as its
 * prototype) is returned as it is.
 */
export function literalCopy(doc: Doc): Doc {
  const names = Object.keys(doc);
  if (names.length <= FAST_BY_ITSELF || names.length > MAX_LITERAL_FIELDS) return doc;
  let shape = shapes.find((recent) => sameNames(recent.names, names));
  if (!shape) {
    if (names.includes('__proto__')) return doc;
    const source = `return {${names.map((name) => `${JSON.stringify(name)}: doc[${JSON.stringify(name)}]`).join(', ')}};`;
    shape = { names, make: once(source, () => new Function('doc', source) as (doc: Doc) => Doc) };
    if (shapes.length === RECENT_SHAPES) shapes.pop();
    shapes.unshift(shape);
  }
  return shape.make(doc);
}
