import type { Document } from 'bson';
import type { Collection } from './collection.js';
import { MISSING, UNNUMBERED, type RowColumn } from './columns.js';
import { slotSelection } from './planner.js';
import { compileFilter, type Matcher } from './query.js';
import { isPlainObject, type Doc } from './values.js';

/** What the `$group` stage runs over instead of every match: one weighted document per combination. */
export interface CountedGroups {
  docs: Doc[];
  stages: Document[];
}

/**
 * A `$match` followed by a `$group` that only counts (`$sum` of integer constants) by field
 * paths, answered without pushing every match through the pipeline: the planner's index sets
 * give the candidates by slot; a row column (columns.ts) gives each candidate's row of values
 * of the fields the remaining conditions and the key read, and each distinct row is classified
 * once per query (its conditions decided once per distinct value of their field, its key values
 * a combination), so that a candidate costs a few array reads. The real `$group` then runs over
 * one document per combination (its first match, cut to the fields the key reads) with `$sum` of
 * the combination's weight: the same groups, keys, counts and order as over every match, since
 * documents with identical key values always fall into one group and a group's key comes from
 * its first match. Undefined when the stages or the data are of another shape (the caller then
 * runs them as before).
 */
export function countGroups(collection: Collection | undefined, filter: Document | undefined, stages: readonly Document[]): CountedGroups | undefined {
  if (!collection || collection.view || stages.length !== 1 || Object.keys(stages[0]!).length !== 1) return undefined;
  const spec = countingGroup(stages[0]!.$group);
  if (!spec) return undefined;
  const { slots: candidates, rest } = slotSelection(collection, filter);
  const tests: Array<{ top: string; matches: Matcher }> = [];
  for (const { field, condition } of rest) {
    const top = topField(field);
    if (top === undefined) return undefined;
    try {
      tests.push({ top, matches: compileFilter({ [field]: condition }) });
    } catch {
      return undefined;
    }
  }
  const slots = collection.slots;
  const fields = [...new Set([...tests.map((test) => test.top), ...spec.fields])].sort();
  const column = slots.columns.get(fields, slots.width);
  if (!column) return undefined;
  const rows = new Combinations(
    column,
    tests.map((test) => ({ position: fields.indexOf(test.top), verdicts: new Int8Array(16), ...test })),
    spec.fields.map((field) => fields.indexOf(field)),
  );
  const stored = slots.docs;
  const total = candidates ? candidates.length : slots.width;
  for (let i = 0; i < total; i++) {
    const slot = candidates ? candidates[i]! : i;
    const doc = stored[slot];
    if (doc !== undefined && !rows.add(slot, doc)) return undefined;
  }
  return weighted(spec, rows.firsts, rows.counts);
}

/**
 * The matches counted per combination of key values. A row (the values of the fields the
 * conditions and the key read) is classified once per query: whether it passes every residual
 * condition (each decided on the row's value of its field alone) and, if so, which combination
 * its key values make.
 */
class Combinations {
  readonly counts: number[] = [];
  readonly firsts: Doc[] = [];
  /** Per row id: UNKNOWN, EXCLUDED, or the combination's index. */
  private ofRow = new Int32Array(0);
  private readonly byKey = new Map<string, number>();

  constructor(
    private readonly column: RowColumn,
    private readonly tests: ReadonlyArray<{ position: number; top: string; matches: Matcher; verdicts: Int8Array }>,
    private readonly keyPositions: readonly number[],
  ) {}

  /** Counts a candidate if it matches; false when its row cannot be told apart or its conditions fail to evaluate. */
  add(slot: number, doc: Doc): boolean {
    const row = this.column.idAt(slot, doc);
    if (row === UNNUMBERED) return false;
    if (row >= this.ofRow.length) {
      const grown = new Int32Array(Math.max(row + 1, this.column.size, 2 * this.ofRow.length)).fill(UNKNOWN);
      grown.set(this.ofRow);
      this.ofRow = grown;
    }
    let combination = this.ofRow[row]!;
    if (combination === UNKNOWN) {
      const classified = this.classify(row);
      if (classified === undefined) return false;
      combination = this.ofRow[row] = classified;
    }
    if (combination === EXCLUDED) return true;
    // Slots come in ascending order: the first count is the combination's first match.
    if (this.counts[combination]!++ === 0) this.firsts[combination] = doc;
    return true;
  }

  private classify(row: number): number | undefined {
    const values = this.column.rows[row]!;
    const ids = this.column.valueIds[row]!;
    for (const test of this.tests) {
      const id = ids[test.position]!;
      if (id >= test.verdicts.length) {
        const grown = new Int8Array(Math.max(id + 1, 2 * test.verdicts.length));
        grown.set(test.verdicts);
        test.verdicts = grown;
      }
      if (test.verdicts[id] === 0) {
        const value = values[test.position];
        // A condition on a top-level field (or a path under it) reads nothing else of the document.
        try {
          test.verdicts[id] = test.matches(value === MISSING ? {} : { [test.top]: value }) ? HOLDS : FAILS;
        } catch {
          return undefined;
        }
      }
      if (test.verdicts[id] === FAILS) return EXCLUDED;
    }
    let key = '';
    for (const position of this.keyPositions) key += `${ids[position]!},`;
    let combination = this.byKey.get(key);
    if (combination === undefined) {
      combination = this.counts.length;
      this.byKey.set(key, combination);
      this.counts.push(0);
      this.firsts.push({});
    }
    return combination;
  }
}

/** A residual condition's verdict per value id of its field: 0 not evaluated yet. */
const HOLDS = 1;
const FAILS = 2;
const UNKNOWN = -2;
const EXCLUDED = -1;

/** A `$group` that counts: its `_id` reads top-level `fields` only; each accumulator is `$sum` of an integer. */
interface CountingGroup {
  id: unknown;
  fields: string[];
  sums: Array<{ name: string; step: number }>;
  /** The stage's fields in their order (`_id` among them). */
  order: string[];
}

function countingGroup(group: unknown): CountingGroup | undefined {
  if (!isPlainObject(group) || !('_id' in group)) return undefined;
  const fields = new Set<string>();
  if (!keyFields(group._id, fields)) return undefined;
  const sums: CountingGroup['sums'] = [];
  for (const [name, accumulator] of Object.entries(group)) {
    if (name === '_id') continue;
    if (name.startsWith('$') || name.includes('.') || !isPlainObject(accumulator) || Object.keys(accumulator).length !== 1) return undefined;
    const step: unknown = accumulator.$sum;
    if (typeof step !== 'number' || !Number.isSafeInteger(step) || Object.is(step, -0)) return undefined;
    sums.push({ name, step });
  }
  return { id: group._id, fields: [...fields], sums, order: Object.keys(group) };
}

/** Adds the top-level fields a key expression reads; false when it is more than constants, field paths and documents of those. */
function keyFields(expression: unknown, into: Set<string>): boolean {
  if (typeof expression === 'string') {
    if (!expression.startsWith('$')) return true;
    if (expression.startsWith('$$')) return false;
    const top = topField(expression.slice(1));
    if (top !== undefined) into.add(top);
    return top !== undefined;
  }
  if (isPlainObject(expression)) {
    return Object.entries(expression).every(([key, value]) => key !== '' && !key.startsWith('$') && !key.includes('.') && keyFields(value, into));
  }
  return expression === null || typeof expression === 'number' || typeof expression === 'boolean';
}

/** The top-level field a path starts with; undefined for paths this does not read by column. */
function topField(path: string): string | undefined {
  const top = path.split('.')[0]!;
  return top === '' || top.startsWith('$') || top === '__proto__' || path.split('.').some((part) => part === '') ? undefined : top;
}

/**
 * One document per combination, in the order of first matches: the key fields of its first
 * match and, per accumulator, its count times the summed constant; and the `$group` summing those.
 */
function weighted(spec: CountingGroup, firsts: Doc[], counts: number[]): CountedGroups | undefined {
  const weights = spec.sums.map((_, i) => {
    let name = `w${i}`;
    while (spec.fields.includes(name)) name = `_${name}`;
    return name;
  });
  const docs: Doc[] = [];
  for (let c = 0; c < firsts.length; c++) {
    const first = firsts[c]!;
    const doc: Doc = {};
    for (const field of spec.fields) if (Object.hasOwn(first, field)) doc[field] = first[field];
    for (let s = 0; s < spec.sums.length; s++) {
      const weight = counts[c]! * spec.sums[s]!.step;
      if (!Number.isSafeInteger(weight)) return undefined;
      doc[weights[s]!] = weight;
    }
    docs.push(doc);
  }
  const group: Document = {};
  for (const name of spec.order) {
    const s = spec.sums.findIndex((sum) => sum.name === name);
    group[name] = s < 0 ? spec.id : { $sum: `$${weights[s]!}` };
  }
  return { docs, stages: [{ $group: group }] };
}
