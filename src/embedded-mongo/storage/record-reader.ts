import { open } from 'node:fs/promises';
import { MAX_RECORD_PAYLOAD_BYTES, RECORD_HEADER_BYTES, recordChecksum } from './record-format.js';

/** Large reads keep restart time to a few syscalls per hundred megabytes. */
const READ_CHUNK_BYTES = 16 * 1024 * 1024;

export interface RecordScan {
  /** File offset just past the last intact record. */
  validBytes: number;
  fileBytes: number;
}

/**
 * Calls `onPayload` with each intact record from `startOffset` on, in order, and stops at
 * the first record that is incomplete or fails its checksum. The payload is a view into a
 * read buffer that is never reused, so values decoded as views into it stay valid.
 */
export async function scanRecords(
  path: string,
  startOffset: number,
  onPayload: (payload: Buffer) => void,
): Promise<RecordScan> {
  const handle = await open(path, 'r');
  try {
    const fileBytes = (await handle.stat()).size;
    let buffer = Buffer.alloc(0);
    let bufferFileOffset = startOffset; // file offset of buffer[0]
    let filled = 0;
    let cursor = 0;

    /** Makes `needed` bytes from `cursor` available, unless the file ends first. */
    const ensure = async (needed: number): Promise<boolean> => {
      if (filled - cursor >= needed) return true;
      if (bufferFileOffset + cursor + needed > fileBytes) return false;
      const kept = filled - cursor;
      // Always a fresh buffer: bson decodes Binary values as views into the bytes it reads,
      // so bytes already handed out must never be overwritten by the next read.
      const remaining = fileBytes - bufferFileOffset - cursor;
      const next = Buffer.allocUnsafe(Math.max(needed, Math.min(READ_CHUNK_BYTES, remaining)));
      buffer.copy(next, 0, cursor, filled);
      buffer = next;
      bufferFileOffset += cursor;
      cursor = 0;
      filled = kept;
      while (filled < buffer.length && bufferFileOffset + filled < fileBytes) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, bufferFileOffset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return filled - cursor >= needed;
    };

    while (await ensure(RECORD_HEADER_BYTES)) {
      const payloadLength = buffer.readUInt32LE(cursor);
      if (payloadLength > MAX_RECORD_PAYLOAD_BYTES) break;
      const recordLength = RECORD_HEADER_BYTES + payloadLength;
      if (!(await ensure(recordLength))) break;
      const record = buffer.subarray(cursor, cursor + recordLength);
      if (recordChecksum(record, payloadLength) !== record.readUInt32LE(4)) break;
      onPayload(record.subarray(RECORD_HEADER_BYTES));
      cursor += recordLength;
    }
    return { validBytes: bufferFileOffset + cursor, fileBytes };
  } finally {
    await handle.close();
  }
}
