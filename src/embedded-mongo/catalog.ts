import type { Document } from 'bson';
import { ChangeStreams } from './change-streams.js';
import { Collection, ID_INDEX } from './collection.js';
import { ErrorCode, commandError } from './errors.js';
import type { JournalOp } from './storage/types.js';
import { keyOf, type Doc } from './values.js';

/** All databases and collections held in memory; the single source of committed state. */
export class Catalog {
  private readonly databases = new Map<string, Map<string, Collection>>();
  /** Global write sequence, advanced by every committed write while transactions are open. */
  seq = 0;
  /** Open transactions; while zero, per-document write sequences need not be recorded. */
  openTransactions = 0;
  /** Change streams, told of every committed document change. */
  readonly changes = new ChangeStreams();

  databaseNames(): string[] {
    return [...this.databases.keys()].filter((name) => (this.databases.get(name)?.size ?? 0) > 0);
  }

  collections(db: string): Collection[] {
    return [...(this.databases.get(db)?.values() ?? [])];
  }

  get(db: string, name: string): Collection | undefined {
    return this.databases.get(db)?.get(name);
  }

  /** Returns the collection, creating it (and recording the op) when a write needs it. */
  ensure(db: string, name: string, ops: JournalOp[]): Collection {
    const existing = this.get(db, name);
    if (existing) return existing;
    validateNamespace(db, name);
    ops.push({ op: 'createCollection', db, coll: name });
    return this.add(db, name, {});
  }

  create(db: string, name: string, options: Document): JournalOp {
    if (this.get(db, name)) throw commandError(ErrorCode.NamespaceExists, `Collection ${db}.${name} already exists.`);
    validateNamespace(db, name);
    this.add(db, name, options);
    return { op: 'createCollection', db, coll: name, options };
  }

  drop(db: string, name: string): JournalOp | undefined {
    const collections = this.databases.get(db);
    if (!collections?.delete(name)) return undefined;
    return { op: 'dropCollection', db, coll: name };
  }

  dropDatabase(db: string): JournalOp | undefined {
    if (!this.databases.delete(db)) return undefined;
    return { op: 'dropDatabase', db };
  }

  /** Collections holding history for open transactions. */
  private readonly versioned = new Set<Collection>();

  /**
   * Records a committed write (with the version it replaced) while transactions are open, so
   * that they keep reading their snapshot and detect conflicting writes.
   */
  recordWrite(collection: Collection, id: string, before: Doc | undefined): void {
    if (this.openTransactions === 0) return;
    let versions = collection.history.get(id);
    if (!versions) collection.history.set(id, (versions = []));
    versions.push({ seq: ++this.seq, before });
    this.versioned.add(collection);
  }

  transactionStarted(): void {
    this.openTransactions += 1;
  }

  /** History is only kept for open transactions: with the last one gone, it is dropped. */
  transactionEnded(): void {
    this.openTransactions -= 1;
    if (this.openTransactions > 0) return;
    for (const collection of this.versioned) collection.history.clear();
    this.versioned.clear();
  }

  private add(db: string, name: string, options: Document): Collection {
    let collections = this.databases.get(db);
    if (!collections) this.databases.set(db, (collections = new Map()));
    const collection = new Collection(db, name, options, this.changes);
    collections.set(name, collection);
    return collection;
  }

  /** Replays one journal op during recovery; ops were validated when first written. */
  apply(op: JournalOp): void {
    switch (op.op) {
      case 'createCollection':
        if (!this.get(op.db, op.coll)) this.add(op.db, op.coll, op.options ?? {});
        return;
      case 'dropCollection':
        this.drop(op.db, op.coll);
        return;
      case 'dropDatabase':
        this.dropDatabase(op.db);
        return;
      case 'createIndex':
        this.ensure(op.db, op.coll, []).createIndex(op.index);
        return;
      case 'dropIndex':
        this.get(op.db, op.coll)?.dropIndex(op.name);
        return;
      case 'put':
        this.ensure(op.db, op.coll, []).put(keyOf(op.doc._id), op.doc);
        return;
      case 'delete':
        this.get(op.db, op.coll)?.evict(keyOf(op.id));
        return;
    }
  }

  /**
   * The shortest op sequence that rebuilds the current state, for compaction. The set of
   * documents is captured when this is called; documents are immutable, so the sequence stays
   * consistent even if it is consumed asynchronously while writes continue.
   */
  dump(): Iterable<JournalOp> {
    const captured = [...this.databases].flatMap(([db, collections]) =>
      [...collections.values()].map((collection) => ({
        db,
        collection,
        indexes: [...collection.indexes.values()].map((index) => index.definition),
        docs: [...collection.docs.values()],
      })),
    );
    return (function* () {
      for (const { db, collection, indexes, docs } of captured) {
        yield { op: 'createCollection', db, coll: collection.name, options: collection.options };
        for (const index of indexes) {
          if (index.name !== ID_INDEX.name) yield { op: 'createIndex', db, coll: collection.name, index };
        }
        for (const doc of docs) yield { op: 'put', db, coll: collection.name, doc };
      }
    })();
  }
}

function validateNamespace(db: string, name: string): void {
  if (!db || /[/\\. "$\0]/.test(db)) throw commandError(ErrorCode.InvalidNamespace, `无效的数据库名 / Invalid database name: '${db}'`);
  if (!name || name.includes('$') || name.includes('\0') || name.startsWith('.')) {
    throw commandError(ErrorCode.InvalidNamespace, `无效的集合名 / Invalid collection name: '${name}'`);
  }
}
