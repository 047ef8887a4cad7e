import { crc32 } from 'node:zlib';
import { deserialize, serialize, type Document } from 'bson';
import type { JournalOp } from './types.js';

/**
 * A record is `u32 payloadLength | u32 crc32(lengthBytes ‖ payload) | payload`, little endian.
 * The CRC covers the length too, so a corrupt length cannot make a wrong slice look valid.
 *
 * The payload is a run of BSON documents. Consecutive puts into one collection share a single
 * header `{ op: 'put', db, coll, n }` followed by the n raw documents: insertMany batches and
 * snapshots are almost all puts, and skipping a wrapper per document makes replay markedly
 * faster. Every other op is stored as its own BSON document.
 */
export const RECORD_HEADER_BYTES = 8;

/** Upper bound on one record; a larger length field can only be corruption. */
export const MAX_RECORD_PAYLOAD_BYTES = 0x7fff_0000;

export function recordChecksum(record: Uint8Array, payloadLength: number): number {
  const lengthBytes = record.subarray(0, 4);
  const payload = record.subarray(RECORD_HEADER_BYTES, RECORD_HEADER_BYTES + payloadLength);
  return crc32(payload, crc32(lengthBytes));
}

/** Frames already-encoded payload parts as one record. */
export function frameRecord(parts: readonly Uint8Array[], payloadLength: number): Buffer {
  const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payloadLength);
  record.writeUInt32LE(payloadLength, 0);
  let offset = RECORD_HEADER_BYTES;
  for (const part of parts) {
    record.set(part, offset);
    offset += part.length;
  }
  record.writeUInt32LE(recordChecksum(record, payloadLength), 4);
  return record;
}

/** Encodes one batch of ops as one record: on recovery it is applied whole or not at all. */
export function encodeRecord(ops: Iterable<JournalOp>): Buffer {
  const encoder = new PayloadEncoder();
  for (const op of ops) encoder.add(op);
  return encoder.finish();
}

/** Builds a payload op by op, so snapshots can cut records at a size of their choosing. */
export class PayloadEncoder {
  private parts: Uint8Array[] = [];
  private putRun: { db: string; coll: string; headerIndex: number; count: number } | undefined;
  byteLength = 0;
  opCount = 0;

  add(op: JournalOp): void {
    this.opCount += 1;
    if (op.op !== 'put') {
      this.closePutRun();
      this.push(serialize(op));
      return;
    }
    const run = this.putRun;
    if (!run || run.db !== op.db || run.coll !== op.coll) {
      this.closePutRun();
      this.putRun = { db: op.db, coll: op.coll, headerIndex: this.parts.length, count: 0 };
      // Placeholder; the real header (with the run's length) replaces it in closePutRun.
      this.parts.push(Buffer.alloc(0));
    }
    this.putRun!.count += 1;
    this.push(serialize(op.doc));
  }

  finish(): Buffer {
    this.closePutRun();
    const record = frameRecord(this.parts, this.byteLength);
    this.parts = [];
    this.byteLength = 0;
    this.opCount = 0;
    return record;
  }

  private push(part: Uint8Array): void {
    this.parts.push(part);
    this.byteLength += part.length;
  }

  private closePutRun(): void {
    const run = this.putRun;
    if (!run) return;
    const header = serialize({ op: 'put', db: run.db, coll: run.coll, n: run.count });
    this.parts[run.headerIndex] = header;
    this.byteLength += header.length;
    this.putRun = undefined;
  }
}

const OP_NAMES = new Set<string>([
  'createCollection',
  'dropCollection',
  'dropDatabase',
  'createIndex',
  'dropIndex',
  'put',
  'delete',
]);

/**
 * Decodes a CRC-checked payload into ops, in order. A payload that passed its checksum but
 * does not parse was written by another format version or by a bug: that is an error, not
 * a torn tail.
 */
export function decodePayload(payload: Buffer, apply: (op: JournalOp) => void): number {
  let offset = 0;
  let count = 0;
  const next = (): Document => {
    if (offset + 4 > payload.length) throw corruptPayload('truncated document');
    const size = payload.readInt32LE(offset);
    if (size < 5 || offset + size > payload.length) throw corruptPayload(`bad document size ${size}`);
    const doc = deserialize(payload, { index: offset, allowObjectSmallerThanBufferSize: true });
    offset += size;
    return doc;
  };
  while (offset < payload.length) {
    const header = next();
    if (typeof header.op !== 'string' || !OP_NAMES.has(header.op)) {
      throw corruptPayload(`unknown op ${JSON.stringify(header.op)}`);
    }
    if (header.op !== 'put') {
      apply(header as JournalOp);
      count += 1;
      continue;
    }
    const { db, coll, n } = header as { db: string; coll: string; n: number };
    for (let i = 0; i < n; i += 1) apply({ op: 'put', db, coll, doc: next() });
    count += n;
  }
  return count;
}

function corruptPayload(detail: string): Error {
  return new Error(`日志记录格式无法识别 / Journal record does not parse (${detail})`);
}
