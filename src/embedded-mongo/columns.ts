import { Binary, Decimal128, ObjectId, Timestamp } from 'bson';
import { isPlainObject, type Doc } from './values.js';

/** A row's value for a field the document does not have. */
export const MISSING = Symbol('missing');
/** A document whose values the column does not number (a BSON type without an exact encoding here, or `undefined` stored as a value). */
export const UNNUMBERED = -1;
/** A slot whose row is not read yet, or whose document changed since. */
const STALE = -2;

/** Columns a collection keeps before it drops them all and starts again. */
const MAX_COLUMNS = 32;
/**
 * Rows a column numbers at most: max(MIN_ROWS, slots / ROWS_SHARE). Past that the fields are
 * nearly as many rows as documents (a date, a title): counting by rows would save nothing, and
 * the column would hold a copy of every document's values.
 */
const MIN_ROWS = 1024;
const ROWS_SHARE = 8;

/**
 * For a few top-level fields, a small id per slot for the document's row of values there, as
 * stored: two documents get the same id exactly when their values are identical (same types,
 * same array order and duplicates, same embedded field order; -0 apart from 0), so any filter
 * condition on those fields and any `$group` key read from them treats them alike. A row is read
 * when first asked for; the slots keep the column exact like an index: a changed document's
 * slot goes stale (`forget`), and renumbering drops the columns.
 */
export class RowColumn {
  private ids = new Int32Array(0);
  /** The rows by id: per field (in `fields` order) its value, or MISSING. */
  readonly rows: unknown[][] = [];
  /**
   * The rows by id as per-field value ids: per field, one id per distinct value (0 for
   * MISSING), so that a query decides a condition once per value and keys a combination by
   * small numbers.
   */
  readonly valueIds: number[][] = [];
  private readonly byEncoding = new Map<string, number>();
  private readonly fieldValues: Array<Map<string, number>>;

  /** Set once the column has numbered as many rows as it may (see MIN_ROWS). */
  full = false;
  /** How many read rows updates made stale: rows no document may have any more. */
  forgotten = 0;

  constructor(
    readonly fields: readonly string[],
    private readonly maxRows: number,
  ) {
    this.fieldValues = fields.map(() => new Map([['-', 0]]));
  }

  /** The id of the row `doc` (stored in `slot`) has; UNNUMBERED when the column cannot tell its values apart. */
  idAt(slot: number, doc: Doc): number {
    const known = slot < this.ids.length ? this.ids[slot]! : STALE;
    if (known !== STALE) return known;
    const id = this.rowId(doc);
    if (slot >= this.ids.length) {
      const grown = new Int32Array(Math.max(slot + 1, this.ids.length * 2, 1024)).fill(STALE);
      grown.set(this.ids);
      this.ids = grown;
    }
    this.ids[slot] = id;
    return id;
  }

  /** The slot's document changed (a freed slot is never read again, and renumbering drops the columns). */
  forget(slot: number): void {
    if (slot < this.ids.length && this.ids[slot] !== STALE) {
      this.ids[slot] = STALE;
      this.forgotten++;
    }
  }

  /** How many distinct rows the column has numbered (including rows no document has any more). */
  get size(): number {
    return this.rows.length;
  }

  private rowId(doc: Doc): number {
    const encodings: string[] = [];
    for (const field of this.fields) {
      const encoded = Object.hasOwn(doc, field) ? encode(doc[field]) : '-';
      if (encoded === undefined) return UNNUMBERED;
      encodings.push(encoded);
    }
    const key = encodings.join(';');
    let id = this.byEncoding.get(key);
    if (id === undefined) {
      if (this.rows.length >= this.maxRows) {
        this.full = true;
        return UNNUMBERED;
      }
      id = this.rows.length;
      this.rows.push(this.fields.map((field) => (Object.hasOwn(doc, field) ? doc[field] : MISSING)));
      this.valueIds.push(
        encodings.map((encoded, f) => {
          const values = this.fieldValues[f]!;
          let value = values.get(encoded);
          if (value === undefined) values.set(encoded, (value = values.size));
          return value;
        }),
      );
      this.byEncoding.set(key, id);
    }
    return id;
  }
}

/**
 * A text equal for two values exactly when they are identical as stored: the type is part of
 * it (a string never meets a number), numbers by their shortest round-trip text (-0 apart from
 * 0), arrays element by element, embedded documents field by field in order. Undefined for
 * `undefined` and for values without such an encoding here (MinKey, Code, DBRef, unpromoted Long…).
 */
export function encode(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Object.is(value, -0) ? 'n-0' : `n${value}`;
    case 'boolean':
      return value ? 'T' : 'F';
    case 'undefined':
      return undefined;
  }
  if (value === null) return 'z';
  if (Array.isArray(value)) {
    let text = '[';
    for (const element of value) {
      const inner = encode(element);
      if (inner === undefined) return undefined;
      text += `${inner},`;
    }
    return `${text}]`;
  }
  if (value instanceof ObjectId) return `o${value.toHexString()}`;
  if (value instanceof Date) return `d${value.getTime()}`;
  if (value instanceof Decimal128) return `m${Buffer.from(value.bytes).toString('hex')}`;
  if (value instanceof Binary) return `b${value.sub_type}:${Buffer.from(value.buffer).toString('hex')}`;
  if (value instanceof Timestamp) return `t${value.toString()}`;
  if (value instanceof RegExp) return `r${JSON.stringify(value.source)}/${value.flags}`;
  if (isPlainObject(value)) {
    let text = '{';
    for (const key of Object.keys(value)) {
      const inner = encode(value[key]);
      if (inner === undefined) return undefined;
      text += `${JSON.stringify(key)}:${inner},`;
    }
    return `${text}}`;
  }
  return undefined;
}

/**
 * The row columns over a collection's slots, built when a counting plan first reads a set of
 * fields. Bounded: at most MAX_COLUMNS field sets, each a 32-bit id per slot plus at most
 * max(MIN_ROWS, slots / ROWS_SHARE) distinct rows. A column filled mostly by rows that updates
 * made stale is dropped and read again once; a field set that fills its column with rows documents
 * hold (or fills it twice) has too many distinct rows, and gets no column until the slots are
 * renumbered.
 */
export class Columns {
  private readonly byFields = new Map<string, RowColumn>();
  private readonly fills = new Map<string, number>();
  private listed: RowColumn[] | undefined = [];

  /** The column of these top-level fields (sorted, each once); `width` is the collection's number of slots. Undefined for a refused field set. */
  get(fields: readonly string[], width: number): RowColumn | undefined {
    const name = JSON.stringify(fields);
    let column = this.byFields.get(name);
    if (column?.full) {
      if (this.fills.size >= 4 * MAX_COLUMNS) this.fills.clear();
      // A column filled by rows documents hold (few made stale by updates) gets no second try.
      const fills = (this.fills.get(name) ?? 0) + (column.forgotten < column.size / 2 ? 2 : 1);
      this.fills.set(name, fills);
      column = undefined;
      if (fills >= 2) {
        this.byFields.delete(name);
        this.listed = undefined;
        return undefined;
      }
    }
    if (!column) {
      if ((this.fills.get(name) ?? 0) >= 2) return undefined;
      if (!this.byFields.has(name) && this.byFields.size >= MAX_COLUMNS) this.byFields.clear();
      column = new RowColumn(fields, Math.max(MIN_ROWS, Math.floor(width / ROWS_SHARE)));
      this.byFields.set(name, column);
      this.listed = undefined;
    }
    return column;
  }

  /** Runs on every update once slots exist: an indexed loop, no iterator (nothing at all without columns). */
  forget(slot: number): void {
    const columns = this.list;
    for (let i = 0; i < columns.length; i++) columns[i]!.forget(slot);
  }

  /** The columns, for `forget`. */
  private get list(): RowColumn[] {
    return (this.listed ??= [...this.byFields.values()]);
  }
}
