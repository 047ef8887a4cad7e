import { crc32 } from 'node:zlib';
import { deserialize, serialize, serializeWithBufferAndIndex, type Document } from 'bson';
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

/** Encodes one batch of ops as one record: on recovery it is applied whole or not at all. */
export function encodeRecord(ops: Iterable<JournalOp>): Buffer {
  // Reusing one encoder is safe because this function never yields: no other encode can interleave.
  try {
    for (const op of ops) recordEncoder.add(op);
    return recordEncoder.finish();
  } catch (error) {
    recordEncoder.reset();
    throw error;
  }
}

const INITIAL_CAPACITY = 64 * 1024;
/** A buffer grown past this by one huge batch is not kept for the next one. */
const RETAINED_CAPACITY = 16 * 1024 * 1024;

/**
 * Builds one record op by op, serializing each document straight into a growing buffer
 * behind room for the record header, so a batch costs one allocation, not one per document.
 * Snapshots use their own instance and cut records at a size of their choosing.
 */
export class PayloadEncoder {
  private buffer = Buffer.allocUnsafe(INITIAL_CAPACITY);
  private end = RECORD_HEADER_BYTES;
  private putRun: { db: string; coll: string; headerOffset: number; count: number } | undefined;
  opCount = 0;

  get byteLength(): number {
    return this.end - RECORD_HEADER_BYTES;
  }

  add(op: JournalOp): void {
    this.opCount += 1;
    if (op.op !== 'put') {
      this.closePutRun();
      this.write(op);
      return;
    }
    let run = this.putRun;
    if (!run || run.db !== op.db || run.coll !== op.coll) {
      this.closePutRun();
      run = this.putRun = { db: op.db, coll: op.coll, headerOffset: this.end, count: 0 };
      // The count is an int32 whatever its value, so rewriting the header later keeps its size.
      this.write(putHeader(run.db, run.coll, 0));
    }
    run.count += 1;
    if (op.encoded) this.copy(op.encoded);
    else this.write(op.doc);
  }

  /** Returns the framed record and starts a new one. */
  finish(): Buffer {
    this.closePutRun();
    const payloadLength = this.byteLength;
    const record = Buffer.allocUnsafe(RECORD_HEADER_BYTES + payloadLength);
    this.buffer.copy(record, 0, 0, this.end);
    record.writeUInt32LE(payloadLength, 0);
    record.writeUInt32LE(recordChecksum(record, payloadLength), 4);
    this.reset();
    return record;
  }

  /** Drops whatever has been added since the last record. */
  reset(): void {
    if (this.buffer.length > RETAINED_CAPACITY) this.buffer = Buffer.allocUnsafe(INITIAL_CAPACITY);
    this.end = RECORD_HEADER_BYTES;
    this.putRun = undefined;
    this.opCount = 0;
  }

  private write(doc: Document, at = this.end): void {
    try {
      const last = serializeWithBufferAndIndex(doc, this.buffer, { index: at });
      if (at === this.end) this.end = last + 1;
    } catch (error) {
      // The buffer was too small (bson reports it as a RangeError from the final copy).
      if (!(error instanceof RangeError)) throw error;
      const bytes = serialize(doc);
      this.reserve(at + bytes.length);
      this.buffer.set(bytes, at);
      if (at === this.end) this.end = at + bytes.length;
    }
  }

  private copy(bytes: Uint8Array): void {
    this.reserve(this.end + bytes.length);
    this.buffer.set(bytes, this.end);
    this.end += bytes.length;
  }

  private reserve(capacity: number): void {
    if (capacity <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(capacity, this.buffer.length * 2));
    this.buffer.copy(grown, 0, 0, this.end);
    this.buffer = grown;
  }

  private closePutRun(): void {
    const run = this.putRun;
    if (!run) return;
    this.write(putHeader(run.db, run.coll, run.count), run.headerOffset);
    this.putRun = undefined;
  }
}

const recordEncoder = new PayloadEncoder();

function putHeader(db: string, coll: string, n: number): Document {
  return { op: 'put', db, coll, n };
}

/**
 * Records are CRC-checked and were produced by bson from JavaScript strings, so re-validating
 * their UTF-8 on every replay only costs time. One options object, re-pointed per document.
 */
const DECODE_OPTIONS = { index: 0, allowObjectSmallerThanBufferSize: true, validation: { utf8: false as const } };

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
    DECODE_OPTIONS.index = offset;
    const doc = deserialize(payload, DECODE_OPTIONS);
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
