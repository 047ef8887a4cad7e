import { BSON, Long, type Document } from 'bson';
import { ErrorCode, commandError } from './errors.js';
import { MAX_BSON_SIZE } from './wire.js';
import type { Doc } from './values.js';

/** The first batch size MongoDB uses when the client gives none. */
export const DEFAULT_FIRST_BATCH = 101;
/** Room left in a 16 MB reply for the envelope around the batch. */
const BATCH_BYTES = MAX_BSON_SIZE - 64 * 1024;
const IDLE_TIMEOUT_MS = 10 * 60_000;

interface OpenCursor {
  namespace: string;
  docs: Doc[];
  position: number;
  lastUsed: number;
}

/**
 * Server-side cursors over materialised results. Batches are cut by count and by size so a
 * reply never exceeds 16 MB. Cursor ids are int64 on the wire.
 */
export class CursorRegistry {
  private readonly cursors = new Map<number, OpenCursor>();
  private nextId = 1;

  /** A fresh cursor id, also for cursors kept elsewhere (change streams). */
  allocateId(): number {
    return this.nextId++;
  }

  /** Builds the `cursor` field of a find/aggregate reply, keeping a cursor open if documents remain. */
  open(namespace: string, docs: Doc[], batchSize: number | undefined, singleBatch = false): Document {
    const cursor: OpenCursor = { namespace, docs, position: 0, lastUsed: Date.now() };
    // batchSize 0 opens the cursor with an empty first batch.
    const firstBatch = batchSize === 0 ? [] : takeBatch(cursor, batchSize ?? DEFAULT_FIRST_BATCH);
    let id = 0;
    if (!singleBatch && cursor.position < docs.length) {
      id = this.allocateId();
      this.cursors.set(id, cursor);
    }
    return { firstBatch, id: Long.fromNumber(id), ns: namespace };
  }

  getMore(id: number, namespace: string, batchSize: number | undefined): Document {
    const cursor = this.cursors.get(id);
    if (!cursor || cursor.namespace !== namespace) {
      throw commandError(ErrorCode.CursorNotFound, `游标不存在 / cursor id ${id} not found`);
    }
    cursor.lastUsed = Date.now();
    const nextBatch = takeBatch(cursor, batchSize || Number.MAX_SAFE_INTEGER);
    const exhausted = cursor.position >= cursor.docs.length;
    if (exhausted) this.cursors.delete(id);
    return { nextBatch, id: Long.fromNumber(exhausted ? 0 : id), ns: namespace };
  }

  kill(ids: number[]): { killed: number[]; notFound: number[] } {
    const killed: number[] = [];
    const notFound: number[] = [];
    for (const id of ids) (this.cursors.delete(id) ? killed : notFound).push(id);
    return { killed, notFound };
  }

  /** Drops cursors idle for longer than MongoDB's 10 minute cursor timeout. */
  expireIdle(now = Date.now()): void {
    for (const [id, cursor] of this.cursors) if (now - cursor.lastUsed > IDLE_TIMEOUT_MS) this.cursors.delete(id);
  }
}

function takeBatch(cursor: OpenCursor, batchSize: number): Doc[] {
  const limit = batchSize;
  const batch: Doc[] = [];
  let bytes = 0;
  while (cursor.position < cursor.docs.length && batch.length < limit) {
    const doc = cursor.docs[cursor.position] as Doc;
    // A first document always goes in: its size matters only when another may follow (an
    // aggregation's single $facet document is not sized here, only serialized by the wire).
    const alone = batch.length === 0 && (cursor.position === cursor.docs.length - 1 || limit === 1);
    if (!alone) bytes += BSON.calculateObjectSize(doc);
    if (batch.length > 0 && bytes > BATCH_BYTES) break;
    batch.push(doc);
    cursor.position += 1;
  }
  return batch;
}
