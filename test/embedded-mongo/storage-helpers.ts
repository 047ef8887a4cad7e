import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Document } from 'bson';
import { openFileDurability, type Durability, type JournalOp } from '../../src/embedded-mongo/storage/index.js';

export async function tempDataDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'gx-storage-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Opens a dataDir and replays it; returns the store and every op it replayed. */
export async function openAndRecover(dir: string) {
  const store = await openFileDurability(dir);
  const ops: JournalOp[] = [];
  const stats = await store.recover((op) => ops.push(op));
  return { store, ops, stats };
}

export async function journalFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.startsWith('journal-')).sort();
}

export function put(coll: string, doc: Document): JournalOp {
  return { op: 'put', db: 'app', coll, doc };
}

/**
 * A minimal state the ops describe (collections of documents by _id), enough to check that
 * snapshot + journal rebuild the same state and to produce a dump for compaction.
 */
export class OpState {
  readonly collections = new Map<string, Map<string, Document>>();

  apply(op: JournalOp): void {
    const name = 'coll' in op ? `${op.db}.${op.coll}` : '';
    switch (op.op) {
      case 'createCollection':
        if (!this.collections.has(name)) this.collections.set(name, new Map());
        return;
      case 'dropCollection':
        this.collections.delete(name);
        return;
      case 'dropDatabase':
        for (const key of [...this.collections.keys()]) if (key.startsWith(`${op.db}.`)) this.collections.delete(key);
        return;
      case 'put':
        this.docs(name).set(String(op.doc._id), op.doc);
        return;
      case 'delete':
        this.collections.get(name)?.delete(String(op.id));
        return;
      default:
        return;
    }
  }

  /** Captured when called, as compaction requires: it consumes the dump while commits go on. */
  dump(): Iterable<JournalOp> {
    const ops: JournalOp[] = [];
    for (const [name, docs] of this.collections) {
      const [db, coll] = name.split('.') as [string, string];
      ops.push({ op: 'createCollection', db, coll });
      for (const doc of docs.values()) ops.push({ op: 'put', db, coll, doc });
    }
    return ops;
  }

  /** Plain comparable form. */
  toJSON(): Record<string, Document[]> {
    return Object.fromEntries([...this.collections].map(([name, docs]) => [name, [...docs.values()]]));
  }

  private docs(name: string): Map<string, Document> {
    let docs = this.collections.get(name);
    if (!docs) this.collections.set(name, (docs = new Map()));
    return docs;
  }
}

export async function commitAll(store: Durability, batches: readonly JournalOp[][]): Promise<void> {
  for (const batch of batches) await store.commit(batch);
}
