import type { Document } from 'bson';
import type { Catalog } from './catalog.js';
import { Collection, type LockOwner } from './collection.js';
import { ErrorCode, commandError, transientError } from './errors.js';
import type { JournalOp } from './storage/types.js';
import { keyOf, type Doc } from './values.js';

/** MongoDB's default transactionLifetimeLimitSeconds. */
const TRANSACTION_LIFETIME_MS = 60_000;

/**
 * A multi-document transaction: its writes stay in a private overlay (document locks held on
 * the committed collection) until commit applies them in one step and one durability batch.
 * Reads see committed data plus the overlay (read committed, not a snapshot).
 */
export class Transaction implements LockOwner {
  state: 'active' | 'committed' | 'aborted' = 'active';
  /** The commit sequence when the transaction began; later writes to a doc it touches conflict. */
  readonly startSeq: number;
  /** Per collection: encoded `_id` → new version, or null for a delete. */
  readonly writes = new Map<Collection, Map<string, Doc | null>>();
  private readonly shadows = new Map<Collection, Collection | null>();
  readonly finished: Promise<void>;
  private finish!: () => void;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly catalog: Catalog,
    readonly txnNumber: number,
  ) {
    this.startSeq = catalog.seq;
    catalog.transactionStarted();
    this.finished = new Promise((resolve) => (this.finish = resolve));
    this.timer = setTimeout(() => this.abort(), TRANSACTION_LIFETIME_MS);
    this.timer.unref();
  }

  /** Records a write, taking the document's lock; conflicts raise a transient WriteConflict. */
  write(collection: Collection, id: string, doc: Doc | null): void {
    this.assertActive();
    let writes = this.writes.get(collection);
    if (!writes) this.writes.set(collection, (writes = new Map()));
    if (!writes.has(id)) {
      const owner = collection.locks.get(id);
      if ((owner && owner !== this) || this.changedSinceStart(collection, id)) {
        throw transientError(ErrorCode.WriteConflict, '写冲突，请重试事务 / WriteConflict: the document was changed by another operation; retry the transaction');
      }
      collection.locks.set(id, this);
    }
    writes.set(id, doc);
    const shadow = this.shadows.get(collection);
    if (shadow) {
      if (doc) shadow.put(id, doc);
      else shadow.delete(id);
    }
  }

  /** Whether another write committed to the document after this transaction began. */
  changedSinceStart(collection: Collection, id: string): boolean {
    const versions = collection.history.get(id);
    return versions !== undefined && (versions[versions.length - 1]?.seq ?? 0) > this.startSeq;
  }

  /** The committed version this transaction sees: the one current when it began. */
  snapshotVersion(collection: Collection, id: string): Doc | undefined {
    const versions = collection.history.get(id);
    const firstLater = versions?.find((version) => version.seq > this.startSeq);
    return firstLater ? firstLater.before : collection.docs.get(id);
  }

  /** Ids of documents whose committed version changed after this transaction began. */
  *changedIds(collection: Collection): Iterable<string> {
    for (const id of collection.history.keys()) if (this.changedSinceStart(collection, id)) yield id;
  }

  /**
   * The transaction's own documents, indexed by the collection's unique secondary indexes, so
   * that uniqueness among them is checked without a scan; undefined when there are none.
   */
  uniqueShadow(collection: Collection): Collection | undefined {
    let shadow = this.shadows.get(collection);
    if (shadow === undefined) {
      const unique = [...collection.indexes.values()].filter((index) => index.unique && index.name !== '_id_');
      shadow = unique.length > 0 ? new Collection(collection.db, collection.name) : null;
      for (const index of unique) shadow?.createIndex(index.definition);
      for (const [id, doc] of this.writes.get(collection) ?? []) if (doc) shadow?.put(id, doc);
      this.shadows.set(collection, shadow);
    }
    return shadow ?? undefined;
  }

  /** The transaction's own version of a document: a doc, null (deleted here) or undefined (untouched). */
  ownVersion(collection: Collection, id: string): Doc | null | undefined {
    return this.writes.get(collection)?.get(id);
  }

  assertActive(): void {
    if (this.state !== 'active') {
      throw transientError(ErrorCode.NoSuchTransaction, `事务 ${this.txnNumber} 已${this.state === 'aborted' ? '中止' : '提交'} / Transaction ${this.txnNumber} has been ${this.state}.`);
    }
  }

  /**
   * Applies the overlay to the committed collections, all or nothing, and returns the journal
   * batch. A unique-index violation undoes what was applied and aborts the transaction.
   */
  commit(): JournalOp[] {
    this.assertActive();
    const ops: JournalOp[] = [];
    const undo: Array<() => void> = [];
    try {
      for (const [collection, writes] of this.writes) {
        for (const [id, doc] of writes) {
          const before = collection.docs.get(id);
          // Recorded first: this commit's own writes are history for other open transactions.
          this.catalog.recordWrite(collection, id, before);
          if (doc === null) {
            const op = collection.delete(id);
            if (op) ops.push(op);
          } else {
            ops.push(before ? collection.replace(id, doc) : collection.insert(doc));
          }
          undo.push(() => (before ? collection.put(id, before) : collection.evict(id)));
        }
      }
    } catch (error) {
      for (const step of undo.reverse()) step();
      this.end('aborted');
      throw error;
    }
    this.end('committed');
    return ops;
  }

  abort(): void {
    if (this.state === 'active') this.end('aborted');
  }

  private end(state: 'committed' | 'aborted'): void {
    this.state = state;
    clearTimeout(this.timer);
    for (const [collection, writes] of this.writes) {
      for (const id of writes.keys()) if (collection.locks.get(id) === this) collection.locks.delete(id);
    }
    this.catalog.transactionEnded();
    this.finish();
  }
}

function isRetryableWrite(command: Document): boolean {
  return command.txnNumber !== undefined && command.autocommit === undefined && isPlainObjectLsid(command.lsid);
}

function isPlainObjectLsid(lsid: unknown): lsid is Document {
  return typeof lsid === 'object' && lsid !== null && 'id' in lsid;
}

interface Session {
  lsidId: unknown;
  txnNumber: number;
  transaction?: Transaction;
  /** The reply to the last retryable write, so a retry of it is answered, not re-executed. */
  lastRetryableWrite?: { txnNumber: number; reply: Document };
}

/** Logical sessions by lsid, each with at most one transaction (its latest txnNumber). */
export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly catalog: Catalog) {}

  /**
   * The transaction a command runs in, or undefined outside transactions. Starts one on
   * `startTransaction`; a command for an unknown or finished transaction gets NoSuchTransaction.
   */
  transactionFor(command: Document): Transaction | undefined {
    if (command.autocommit !== false || !command.lsid) return undefined;
    const session = this.session(command.lsid as Document);
    const txnNumber = Number(command.txnNumber);
    if (command.startTransaction === true) {
      if (txnNumber < session.txnNumber || (txnNumber === session.txnNumber && session.transaction)) {
        throw commandError(ErrorCode.TransactionTooOld, `txnNumber ${txnNumber} 已被使用 / txnNumber ${txnNumber} is too old`);
      }
      session.transaction?.abort();
      session.txnNumber = txnNumber;
      session.transaction = new Transaction(this.catalog, txnNumber);
      return session.transaction;
    }
    const transaction = session.transaction;
    if (!transaction || txnNumber !== session.txnNumber) {
      throw transientError(ErrorCode.NoSuchTransaction, `事务 ${txnNumber} 不存在 / Transaction ${txnNumber} has been aborted or does not exist.`);
    }
    return transaction;
  }

  /** commitTransaction: committing an already committed transaction again succeeds (retries). */
  commit(command: Document): JournalOp[] {
    const transaction = this.lookup(command);
    if (transaction.state === 'committed') return [];
    return transaction.commit();
  }

  abort(command: Document): void {
    const transaction = this.lookup(command);
    if (transaction.state === 'committed') {
      throw commandError(ErrorCode.TransactionCommitted, '事务已提交，不能中止 / Cannot abort a committed transaction');
    }
    transaction.assertActive();
    transaction.abort();
  }

  /** The stored reply when this retryable write (lsid + txnNumber, no transaction) already ran. */
  retriedWrite(command: Document): Document | undefined {
    if (!isRetryableWrite(command)) return undefined;
    const last = this.sessions.get(keyOf((command.lsid as Document).id))?.lastRetryableWrite;
    return last && last.txnNumber === Number(command.txnNumber) ? last.reply : undefined;
  }

  rememberWrite(command: Document, reply: Document): void {
    if (!isRetryableWrite(command)) return;
    this.session(command.lsid as Document).lastRetryableWrite = { txnNumber: Number(command.txnNumber), reply };
  }

  /** `$listLocalSessions`: the sessions this server holds, plus the caller's own. */
  list(callerLsid: unknown): Document[] {
    const ids = new Map<string, unknown>();
    for (const [key, session] of this.sessions) ids.set(key, session.lsidId);
    if (isPlainObjectLsid(callerLsid)) ids.set(keyOf(callerLsid.id), callerLsid.id);
    return [...ids.values()].map((id) => ({ _id: { id }, lastUse: new Date() }));
  }

  end(lsids: Document[]): void {
    for (const lsid of lsids) {
      const key = keyOf(lsid.id);
      this.sessions.get(key)?.transaction?.abort();
      this.sessions.delete(key);
    }
  }

  private lookup(command: Document): Transaction {
    const session = command.lsid ? this.sessions.get(keyOf((command.lsid as Document).id)) : undefined;
    const transaction = session?.transaction;
    if (!transaction || Number(command.txnNumber) !== session.txnNumber) {
      throw transientError(ErrorCode.NoSuchTransaction, `事务 ${String(command.txnNumber)} 不存在 / Transaction ${String(command.txnNumber)} has been aborted or does not exist.`);
    }
    return transaction;
  }

  private session(lsid: Document): Session {
    const key = keyOf(lsid.id);
    let session = this.sessions.get(key);
    if (!session) this.sessions.set(key, (session = { lsidId: lsid.id, txnNumber: -1 }));
    return session;
  }
}
