import type { Document } from 'bson';
import { ErrorCode, MongoCommandError, commandError } from './errors.js';
import { Index, type IndexDefinition, type SlotSource } from './indexes.js';
import type { ChangeStreams } from './change-streams.js';
import type { JournalOp } from './storage/types.js';
import { compileFilter, type Matcher } from './query.js';
import { StringPool } from './string-pool.js';
import { Columns } from './columns.js';
import { literalCopy } from './aggregation/generated.js';
import { isPlainObject, keyOf, type Doc } from './values.js';

/** A transaction holding uncommitted writes to some documents (see transactions.ts). */
export interface LockOwner {
  readonly finished: Promise<void>;
}

export const ID_INDEX: IndexDefinition = { name: '_id_', key: { _id: 1 } };

/**
 * The committed documents of one collection, keyed by the encoded `_id`, with their indexes.
 * Every mutation keeps the indexes in step and returns the journal op describing it.
 */
export class Collection {
  readonly docs = new Map<string, Doc>();
  readonly indexes = new Map<string, Index>();
  /** Uncommitted transactional writes lock documents until commit or abort. */
  readonly locks = new Map<string, LockOwner>();
  /**
   * While transactions are open: per document, each committed write's sequence number and the
   * version it replaced (undefined for an insert). Transactions read their snapshot from it and
   * detect write conflicts with it.
   */
  readonly history = new Map<string, Array<{ seq: number; before: Doc | undefined }>>();
  /** The stored documents' short strings, one instance per text (see StringPool). */
  readonly strings = new StringPool();
  /** Built when a plan first needs them: a journal replay or a bulk load before any query pays nothing for them. */
  private numbered: Slots | undefined;

  /** The collection's `validator` as a filter every stored document must pass. */
  private readonly validator: Matcher | undefined;

  constructor(
    readonly db: string,
    readonly name: string,
    readonly options: Document = {},
    /** Where committed changes are announced; absent for scratch collections. */
    private readonly changes?: ChangeStreams,
  ) {
    this.indexes.set(ID_INDEX.name, new Index(ID_INDEX));
    this.validator = compileValidator(options);
  }

  /** Throws 121 DocumentValidationFailure when the document fails the collection's validator. */
  validate(doc: Doc): void {
    if (this.validator && !this.validator(doc)) {
      throw new MongoCommandError(ErrorCode.DocumentValidationFailure, '文档未通过集合校验 / Document failed validation', {
        errInfo: { failingDocumentId: doc._id },
      });
    }
  }

  /** A view has no documents of its own: `viewOn` names its source, `pipeline` shapes it. */
  get view(): { viewOn: string; pipeline: Document[] } | undefined {
    const { viewOn, pipeline } = this.options;
    return typeof viewOn === 'string' ? { viewOn, pipeline: Array.isArray(pipeline) ? (pipeline as Document[]) : [] } : undefined;
  }

  get namespace(): string {
    return `${this.db}.${this.name}`;
  }

  /** The stored documents by slot, a small number per document (see Slots). */
  get slots(): Slots {
    if (!this.numbered) {
      this.numbered = new Slots();
      for (const [id, doc] of this.docs) this.numbered.set(id, doc);
    }
    return this.numbered;
  }

  get idIndex(): Index {
    return this.indexes.get(ID_INDEX.name) as Index;
  }

  /** Throws E11000 when `doc` collides on `_id` or a unique index with a document other than `selfId` or those `ignore` accepts. */
  checkUnique(doc: Doc, selfId: string | undefined, ignore?: (id: string) => boolean): void {
    const id = keyOf(doc._id);
    if (id !== selfId && this.docs.has(id) && !ignore?.(id)) throw duplicateKeyError(this, this.idIndex, [doc._id]);
    for (const index of this.indexes.values()) {
      const duplicate = index.findDuplicate(doc, selfId ?? id, ignore);
      if (duplicate) throw duplicateKeyError(this, index, duplicate);
    }
  }

  /** `encoded`: the document's BSON as the client sent it, if decoding it gives `doc` (journaled as is). */
  insert(doc: Doc, id = keyOf(doc._id), encoded?: Uint8Array): JournalOp {
    this.validate(doc);
    if (this.docs.has(id)) throw duplicateKeyError(this, this.idIndex, [doc._id]);
    this.checkUnique(doc, id);
    this.put(id, doc);
    if (this.changes?.active) this.changes.publish({ db: this.db, coll: this.name, kind: 'insert', id: doc._id, after: doc });
    return { op: 'put', db: this.db, coll: this.name, doc, encoded };
  }

  replace(id: string, doc: Doc): JournalOp {
    this.validate(doc);
    this.checkUnique(doc, id);
    const before = this.docs.get(id);
    this.put(id, doc);
    if (this.changes?.active) this.changes.publish({ db: this.db, coll: this.name, kind: 'update', id: doc._id, before, after: doc });
    return { op: 'put', db: this.db, coll: this.name, doc };
  }

  delete(id: string): JournalOp | undefined {
    const old = this.evict(id);
    if (!old) return undefined;
    if (this.changes?.active) this.changes.publish({ db: this.db, coll: this.name, kind: 'delete', id: old._id });
    return { op: 'delete', db: this.db, coll: this.name, id: old._id };
  }

  /** Removes without a journal op or change event (recovery replay, undoing a failed commit). */
  evict(id: string): Doc | undefined {
    const old = this.docs.get(id);
    if (!old) return undefined;
    for (const index of this.indexes.values()) index.remove(id, old);
    this.docs.delete(id);
    if (this.numbered?.delete(id)) for (const index of this.indexes.values()) index.forgetSlots();
    return old;
  }

  /** Stores without constraint checks (recovery replay, transaction commit after validation). */
  put(id: string, given: Doc): void {
    // Kept with fast properties and shared short strings: queries read stored fields per document.
    const doc = literalCopy(given);
    this.strings.share(doc);
    const old = this.docs.get(id);
    for (const index of this.indexes.values()) {
      if (old) index.replace(id, old, doc);
      else index.add(id, doc);
    }
    this.docs.set(id, doc);
    this.numbered?.set(id, doc);
  }

  createIndex(definition: IndexDefinition): void {
    const index = new Index(definition);
    for (const [id, doc] of this.docs) {
      if (index.unique) {
        const duplicate = index.findDuplicate(doc, id);
        if (duplicate) throw duplicateKeyError(this, index, duplicate);
      }
      index.add(id, doc);
    }
    this.indexes.set(definition.name, index);
  }

  dropIndex(name: string): void {
    this.indexes.delete(name);
  }

  *entries(): Iterable<[string, Doc]> {
    yield* this.docs;
  }
}

/**
 * A small integer per stored document (its slot), fixed while it is stored, in the order
 * documents were first stored (the order a collection scan visits them). The planner
 * intersects and unites index postings as sorted slot lists and bitsets, and reaches a
 * candidate's document by its slot: no hash lookup by id string per candidate. Slots are not
 * reused; when more than half of them are free they are renumbered (in the same order), and
 * the indexes drop the slot lists they built before. The slots also keep the row columns
 * (columns.ts) over their documents exact.
 */
export class Slots implements SlotSource {
  private readonly byId = new Map<string, number>();
  private ids: (string | undefined)[] = [];
  /** The document in each slot; undefined for a freed slot. */
  docs: (Doc | undefined)[] = [];
  /** Per set of fields, a row id per slot (see Columns); dropped when the slots are renumbered. */
  columns = new Columns();

  of(id: string): number | undefined {
    return this.byId.get(id);
  }

  /** One past the highest slot. */
  get width(): number {
    return this.docs.length;
  }

  set(id: string, doc: Doc): void {
    const slot = this.byId.get(id);
    if (slot !== undefined) {
      this.docs[slot] = doc;
      this.columns.forget(slot);
      return;
    }
    this.byId.set(id, this.docs.length);
    this.ids.push(id);
    this.docs.push(doc);
  }

  /** Frees the document's slot; true when that renumbered the slots. */
  delete(id: string): boolean {
    const slot = this.byId.get(id);
    if (slot === undefined) return false;
    this.byId.delete(id);
    this.ids[slot] = undefined;
    this.docs[slot] = undefined;
    if (this.docs.length < MIN_RENUMBER || this.docs.length <= 2 * this.byId.size) return false;
    const ids: string[] = [];
    const docs: Doc[] = [];
    for (let old = 0; old < this.ids.length; old++) {
      const kept = this.ids[old];
      if (kept === undefined) continue;
      this.byId.set(kept, ids.length);
      ids.push(kept);
      docs.push(this.docs[old]!);
    }
    this.ids = ids;
    this.docs = docs;
    this.columns = new Columns();
    return true;
  }
}

/** Below this many slots, freed ones are simply left empty. */
const MIN_RENUMBER = 1024;

/**
 * Compiles `validator` unless validation is off or only warns. `$jsonSchema` validators are
 * refused: mingo needs a JSON Schema engine for them, and ignoring one would accept bad data.
 */
function compileValidator(options: Document): Matcher | undefined {
  const validator: unknown = options.validator;
  if (!isPlainObject(validator) || Object.keys(validator).length === 0) return undefined;
  if (options.validationLevel === 'off' || options.validationAction === 'warn') return undefined;
  if (JSON.stringify(Object.keys(validator)).includes('$jsonSchema')) {
    throw commandError(ErrorCode.NotImplemented, '不支持 $jsonSchema 校验 / $jsonSchema validators are not supported by the embedded server');
  }
  return compileFilter(validator);
}

/** Renders a key value the way MongoDB's E11000 message does. */
function renderKeyValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (value && typeof value === 'object' && 'toHexString' in value && typeof value.toHexString === 'function') {
    return `ObjectId('${String(value.toHexString())}')`;
  }
  if (value === undefined) return 'null';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function duplicateKeyError(collection: Collection, index: Index, values: unknown[]): MongoCommandError {
  const keyPattern: Document = {};
  const keyValue: Document = {};
  index.fields.forEach((field, i) => {
    keyPattern[field] = index.definition.key[field];
    keyValue[field] = values[i] === undefined ? null : values[i];
  });
  const rendered = index.fields.map((field, i) => `${field}: ${renderKeyValue(values[i])}`).join(', ');
  return new MongoCommandError(
    ErrorCode.DuplicateKey,
    `E11000 duplicate key error collection: ${collection.namespace} index: ${index.name} dup key: { ${rendered} }`,
    { keyPattern, keyValue },
  );
}
