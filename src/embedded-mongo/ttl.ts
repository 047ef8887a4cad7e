import type { Catalog } from './catalog.js';
import type { JournalOp } from './storage/types.js';

const DEFAULT_INTERVAL_MS = 1_000;

/**
 * Deletes documents whose TTL index date is older than `expireAfterSeconds`, like MongoDB's
 * TTL monitor (which runs every 60 s; we run more often, deleting no earlier than it may).
 * Documents locked by an open transaction are left for the next pass.
 */
export class TtlMonitor {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly catalog: Catalog,
    private readonly persist: (ops: JournalOp[]) => Promise<void>,
    private readonly intervalMs = DEFAULT_INTERVAL_MS,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweep(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async sweep(now = Date.now()): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    const ops: JournalOp[] = [];
    try {
      for (const db of this.catalog.databaseNames()) {
        for (const collection of this.catalog.collections(db)) {
          for (const index of collection.indexes.values()) {
            const seconds = index.definition.expireAfterSeconds;
            if (seconds === undefined || index.fields.length !== 1) continue;
            const cutoff = new Date(now - seconds * 1000);
            const expired = index.lookupRange([], { upper: { value: cutoff, inclusive: false } }, () => collection.entries());
            for (const { id } of expired) {
              if (collection.locks.has(id)) continue;
              const before = collection.docs.get(id);
              const op = collection.delete(id);
              if (op) {
                ops.push(op);
                this.catalog.recordWrite(collection, id, before);
              }
            }
          }
        }
      }
      await this.persist(ops);
      return ops.length;
    } finally {
      this.running = false;
    }
  }
}
