import type { Document } from 'bson';

/** An index as the catalog keeps it; the same shape listIndexes returns. */
export interface IndexDefinition {
  name: string;
  key: Record<string, 1 | -1 | string>;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Document;
  expireAfterSeconds?: number;
}

/**
 * One logical change to the store. The journal is a sequence of these, and a snapshot is
 * the shortest sequence that rebuilds the current state (collections, indexes, then puts).
 * `put` carries the whole document after the change, so replay never evaluates operators.
 */
export type JournalOp =
  | { op: 'createCollection'; db: string; coll: string; options?: Document }
  | { op: 'dropCollection'; db: string; coll: string }
  | { op: 'dropDatabase'; db: string }
  | { op: 'createIndex'; db: string; coll: string; index: IndexDefinition }
  | { op: 'dropIndex'; db: string; coll: string; name: string }
  | {
      op: 'put';
      db: string;
      coll: string;
      doc: Document;
      /**
       * `doc`'s BSON exactly as a client sent it (so decoding it gives `doc` again), journaled
       * as is instead of encoding `doc` anew: most of a bulk insert's journal cost.
       */
      encoded?: Uint8Array;
    }
  | { op: 'delete'; db: string; coll: string; id: unknown };

/**
 * Where acknowledged writes live. The server calls `commit` with every batch of ops that
 * one command (or one transaction commit) produces, and replies to the client only after
 * the returned promise resolves: that is the durability guarantee.
 *
 * Notes from the storage side (see `openFileDurability` in ./index.ts):
 * - Call `commit` once per command with all of its ops, not once per document: a batch is
 *   one record and one share of an fsync, and commits issued while an fsync is in flight are
 *   grouped into the next one.
 * - Apply a batch to the in-memory state before (or in the same tick as) calling `commit`.
 *   `compact` calls `dumpState` synchronously and treats its result as containing every op
 *   committed before that call; later commits go to the next journal. The result must be
 *   fixed at that call: compaction consumes it later, while commits go on.
 * - `recover` replays exactly the committed batches, in order, each batch whole or not at all.
 */
export interface Durability {
  /** Replays snapshot then journal, in order, into `apply`. Cuts off a torn tail. */
  recover(apply: (op: JournalOp) => void): Promise<RecoveryStats>;
  /** Appends atomically (all or none after a crash); resolves once fsynced. */
  commit(ops: readonly JournalOp[]): Promise<void>;
  /** Rewrites the state as a snapshot and truncates the journal (write, fsync, rename). */
  compact(dumpState: () => Iterable<JournalOp>): Promise<void>;
  /** True when the journal has grown enough that a compaction pays off. */
  wantsCompaction(): boolean;
  close(): Promise<void>;
}

export interface RecoveryStats {
  snapshotOps: number;
  journalOps: number;
  /** Bytes cut off the journal's end because the last record was incomplete or corrupt. */
  tornTailBytes: number;
}
