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
