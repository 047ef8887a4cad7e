import type { Document } from 'bson';
import type { Catalog } from './catalog.js';
import { duplicateKeyError, type Collection } from './collection.js';
import { candidateDocs, indexOrder, plan } from './planner.js';
import { ErrorCode, MongoCommandError, commandError } from './errors.js';
import { compileFilter, runPipeline } from './query.js';
import type { JournalOp } from './storage/types.js';
import type { Transaction } from './transactions.js';
import { compareValues, keyOf, pathValues, type Doc } from './values.js';

/**
 * How a command reads and writes one collection: directly on committed state, or through a
 * transaction's overlay. Commands are written once against this interface.
 */
export interface CollectionAccess {
  readonly db: string;
  readonly name: string;
  /** Documents matching the filter, in natural order (index-assisted), at most `limit` of them. */
  match(filter: Document | undefined, limit?: number): Doc[];
  /**
   * At least the first `limit` matches in `sort` order, walking an index on the sort's first
   * field: every match up to the limit plus those tied with the last one, still to be sorted
   * by the full sort. Undefined when no index gives the order (the caller sorts all matches).
   */
  matchSorted(filter: Document | undefined, sort: Document, limit: number): Doc[] | undefined;
  /** Resolves with the first lock owner to wait for before writing these documents. */
  blockedBy(docs: readonly Doc[]): Promise<void> | undefined;
  /** `encoded`: the document's BSON as the client sent it, if decoding it gives `doc` (see JournalOp). */
  insert(doc: Doc, encoded?: Uint8Array): void;
  replace(old: Doc, next: Doc): void;
  remove(doc: Doc): void;
  /** Journal ops produced by writes outside a transaction (and implicit collection creation). */
  readonly ops: JournalOp[];
}

abstract class BaseAccess {
  constructor(
    protected readonly catalog: Catalog,
    readonly db: string,
    readonly name: string,
    readonly ops: JournalOp[],
  ) {}

  protected get collection(): Collection | undefined {
    return this.catalog.get(this.db, this.name);
  }

  protected ensure(): Collection {
    return this.catalog.ensure(this.db, this.name, this.ops);
  }
}

export class DirectAccess extends BaseAccess implements CollectionAccess {
  match(filter: Document | undefined, limit = Number.MAX_SAFE_INTEGER): Doc[] {
    const collection = this.collection;
    if (!collection) return [];
    const { docs: candidates, residual } = plan(collection, filter);
    const matches = residual ? compileFilter(residual) : undefined;
    const docs: Doc[] = [];
    for (const doc of candidates) {
      if (docs.length >= limit) break;
      if (!matches || matches(doc)) docs.push(doc);
    }
    return docs;
  }

  matchSorted(filter: Document | undefined, sort: Document, limit: number): Doc[] | undefined {
    const collection = this.collection;
    if (!collection) return undefined;
    const ordered = indexOrder(collection, filter, sort);
    if (!ordered) return undefined;
    const matches = compileFilter(filter);
    const sortValue = (doc: Doc): unknown => pathValues(doc, ordered.field).values[0] ?? null;
    const docs: Doc[] = [];
    let cutoff: unknown;
    for (const doc of ordered.docs) {
      if (docs.length >= limit && compareValues(sortValue(doc), cutoff) !== 0) break;
      if (!matches(doc)) continue;
      docs.push(doc);
      if (docs.length === limit) cutoff = sortValue(doc);
    }
    return docs;
  }

  blockedBy(docs: readonly Doc[]): Promise<void> | undefined {
    const collection = this.collection;
    if (!collection || collection.locks.size === 0) return undefined;
    for (const doc of docs) {
      const owner = collection.locks.get(keyOf(doc._id));
      if (owner) return owner.finished;
    }
    return undefined;
  }

  insert(doc: Doc, encoded?: Uint8Array): void {
    const collection = this.ensure();
    const id = keyOf(doc._id);
    this.ops.push(collection.insert(doc, id, encoded));
    this.catalog.recordWrite(collection, id, undefined);
  }

  replace(old: Doc, next: Doc): void {
    const collection = this.ensure();
    const id = keyOf(old._id);
    const before = collection.docs.get(id);
    this.ops.push(collection.replace(id, next));
    this.catalog.recordWrite(collection, id, before);
  }

  remove(doc: Doc): void {
    const collection = this.ensure();
    const id = keyOf(doc._id);
    const before = collection.docs.get(id);
    const op = collection.delete(id);
    if (op) this.ops.push(op);
    this.catalog.recordWrite(collection, id, before);
  }
}

export class TransactionAccess extends BaseAccess implements CollectionAccess {
  constructor(
    catalog: Catalog,
    db: string,
    name: string,
    ops: JournalOp[],
    private readonly transaction: Transaction,
  ) {
    super(catalog, db, name, ops);
  }

  match(filter: Document | undefined, limit = Number.MAX_SAFE_INTEGER): Doc[] {
    const collection = this.collection;
    if (!collection) return [];
    this.transaction.assertActive();
    const matches = compileFilter(filter);
    const own = this.transaction.writes.get(collection);
    const changed = new Set(this.transaction.changedIds(collection));
    const docs: Doc[] = [];
    const seen = new Set<string>();
    // Committed documents as of the transaction's start; the indexes reflect the latest state,
    // so documents changed since are looked up by id in the history instead.
    for (const committed of candidateDocs(collection, filter)) {
      const id = keyOf(committed._id);
      seen.add(id);
      const version = own?.has(id) ? own.get(id) : changed.has(id) ? undefined : committed;
      if (version && matches(version)) docs.push(version);
    }
    for (const id of changed) {
      const version = own?.has(id) ? undefined : this.transaction.snapshotVersion(collection, id);
      if (version && matches(version)) docs.push(version);
    }
    for (const [id, version] of own ?? []) {
      if (!seen.has(id) && version && matches(version)) docs.push(version);
    }
    return docs.slice(0, limit);
  }

  /** The overlay has no index: transactions sort their matches. */
  matchSorted(): undefined {
    return undefined;
  }

  /** Inside a transaction a locked document is a conflict, reported when writing. */
  blockedBy(): undefined {
    return undefined;
  }

  insert(doc: Doc): void {
    const collection = this.ensure();
    const id = keyOf(doc._id);
    const own = this.transaction.writes.get(collection);
    if (own?.get(id)) throw duplicateKeyError(collection, collection.idIndex, [doc._id]);
    collection.validate(doc);
    collection.checkUnique(doc, undefined, (other) => own?.has(other) === true);
    this.checkOwnUnique(collection, doc, id);
    this.transaction.write(collection, id, doc);
  }

  replace(old: Doc, next: Doc): void {
    const collection = this.ensure();
    const id = keyOf(old._id);
    const own = this.transaction.writes.get(collection);
    collection.validate(next);
    collection.checkUnique(next, id, (other) => own?.has(other) === true);
    this.checkOwnUnique(collection, next, id);
    this.transaction.write(collection, id, next);
  }

  remove(doc: Doc): void {
    this.transaction.write(this.ensure(), keyOf(doc._id), null);
  }

  /** Uniqueness against the transaction's own uncommitted documents. */
  private checkOwnUnique(collection: Collection, doc: Doc, id: string): void {
    this.transaction.uniqueShadow(collection)?.checkUnique(doc, id);
  }
}

/**
 * A read-only view: its documents are its pipeline run over the source (itself possibly a
 * view, or a transaction's overlay), computed on each read.
 */
export class ViewAccess implements CollectionAccess {
  readonly ops: JournalOp[] = [];

  constructor(
    readonly db: string,
    readonly name: string,
    private readonly view: { viewOn: string; pipeline: Document[] },
    private readonly source: (name: string) => CollectionAccess,
  ) {}

  match(filter: Document | undefined, limit = Number.MAX_SAFE_INTEGER): Doc[] {
    const docs = runPipeline(this.source(this.view.viewOn).match(undefined), this.view.pipeline, (name) => this.source(name).match(undefined));
    const matches = compileFilter(filter);
    return docs.filter(matches).slice(0, limit);
  }

  matchSorted(): undefined {
    return undefined;
  }

  blockedBy(): undefined {
    return undefined;
  }

  insert(): never {
    throw this.readOnly();
  }

  replace(): never {
    throw this.readOnly();
  }

  remove(): never {
    throw this.readOnly();
  }

  private readOnly(): MongoCommandError {
    return commandError(ErrorCode.CommandNotSupportedOnView, `视图只读 / Namespace ${this.db}.${this.name} is a view, not a collection`);
  }
}
