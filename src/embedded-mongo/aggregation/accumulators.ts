import { isPlainObject, keyOf, type Doc } from '../values.js';
import { compareKey } from './order.js';
import { NotCompiled, compileExpression, deopt, isNil, isNumber, type Fn, type Scope, type Vars } from './expressions.js';

/**
 * `$group` accumulators folded one document at a time (mingo collects each group's documents,
 * then evaluates). Results mirror mingo's: a missing value counts as null in `$push`,
 * `$addToSet`, `$first`, `$last` and `$max`; `$sum`/`$avg` take numbers only.
 */
export type Accumulator =
  | {
      /** A fresh state for a new group. */
      start(): AccumulatorState;
      readonly step?: undefined;
    }
  | {
      /**
       * A `$sum` of a constant (a count): the result is the group's number of documents times
       * this, so `$group` counts its documents once for all of them and keeps no state.
       */
      readonly step: number;
      readonly start?: undefined;
    };

export interface AccumulatorState {
  add(doc: Doc, vars: Vars): void;
  result(): unknown;
}

type Factory = (fn: Fn, expr: unknown) => Accumulator;

function pushed(fn: Fn, doc: Doc, vars: Vars): unknown {
  return fn(doc, vars) ?? null;
}

/** mingo's `$max`/`$min` sort; arrays compare by element there, so they are left to mingo. */
function ranked(value: unknown): unknown {
  if (Array.isArray(value)) deopt();
  return value;
}

const FACTORIES: Record<string, Factory> = {
  $sum: (fn, expr) => {
    // A constant (`$sum: 1`, a count) needs no evaluation per document.
    if (isNumber(expr)) return { step: expr };
    return {
      start() {
        let sum = 0;
        return {
          add(doc, vars) {
            const value = fn(doc, vars);
            if (isNumber(value)) sum += value;
          },
          result: () => sum,
        };
      },
    };
  },
  $avg: (fn) => ({
    start() {
      let sum = 0;
      let count = 0;
      return {
        add(doc, vars) {
          const value = fn(doc, vars);
          if (!isNumber(value)) return;
          sum += value;
          count += 1;
        },
        result: () => (count === 0 ? null : sum / count),
      };
    },
  }),
  $max: (fn) => ({
    start() {
      let best: unknown;
      let seen = false;
      return {
        add(doc, vars) {
          const value = ranked(pushed(fn, doc, vars));
          // A stable sort's last element: later ties win.
          if (!seen || compareKey(value, best) >= 0) best = value;
          seen = true;
        },
        result: () => (isNil(best) ? null : best),
      };
    },
  }),
  $min: (fn) => ({
    start() {
      let best: unknown;
      let seen = false;
      return {
        add(doc, vars) {
          const value = ranked(fn(doc, vars));
          if (isNil(value)) return;
          if (!seen || compareKey(value, best) < 0) best = value;
          seen = true;
        },
        result: () => (seen ? best : null),
      };
    },
  }),
  $first: (fn) => ({
    start() {
      let value: unknown;
      let seen = false;
      return {
        add(doc, vars) {
          if (seen) return;
          value = pushed(fn, doc, vars);
          seen = true;
        },
        result: () => value,
      };
    },
  }),
  $last: (fn) => ({
    start() {
      let value: unknown;
      return {
        add(doc, vars) {
          value = pushed(fn, doc, vars);
        },
        result: () => value,
      };
    },
  }),
  $push: (fn) => ({
    start() {
      const values: unknown[] = [];
      return {
        add: (doc, vars) => void values.push(pushed(fn, doc, vars)),
        result: () => values,
      };
    },
  }),
  $addToSet: (fn) => ({
    start() {
      const values = new Map<string, unknown>();
      return {
        add(doc, vars) {
          const value = pushed(fn, doc, vars);
          // keyOf equality differs from mingo's for embedded documents (field order): leave those to mingo.
          if (isPlainObject(value) || (Array.isArray(value) && value.some(isPlainObject))) deopt();
          const key = keyOf(value);
          if (!values.has(key)) values.set(key, value);
        },
        result: () => [...values.values()],
      };
    },
  }),
};

export function compileAccumulator(spec: unknown, scope: Scope): Accumulator {
  if (!isPlainObject(spec)) throw new NotCompiled('accumulator');
  const keys = Object.keys(spec);
  const name = keys[0]!;
  const factory = FACTORIES[name];
  if (keys.length !== 1 || !factory) throw new NotCompiled(`accumulator ${name}`);
  if (name === '$count' || isNil(spec[name])) throw new NotCompiled(`accumulator ${name} argument`);
  return factory(compileExpression(spec[name], scope), spec[name]);
}
