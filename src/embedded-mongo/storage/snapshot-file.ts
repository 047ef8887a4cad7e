import { crc32 } from 'node:zlib';
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { JournalOp } from './types.js';
import { PayloadEncoder, decodePayload } from './record-format.js';
import { scanRecords } from './record-reader.js';
import { syncDirectory } from './journal-writer.js';

/**
 * A snapshot is a header, then the state as ordinary journal records cut at about 4 MB.
 * Header: magic `GXSNAP01` | u32 generation | u32 op count | f64 body bytes | u32 CRC32 of
 * the preceding header bytes. The counts let a load tell a complete snapshot from a cut one.
 */
const MAGIC = Buffer.from('GXSNAP01', 'latin1');
const HEADER_BYTES = 28;
const RECORD_TARGET_BYTES = 4 * 1024 * 1024;

export interface EncodedSnapshot {
  generation: number;
  records: Buffer[];
  opCount: number;
  byteLength: number;
}

/** Encodes the whole state synchronously, so it is one consistent point in time. */
export function encodeSnapshot(generation: number, state: Iterable<JournalOp>): EncodedSnapshot {
  const records: Buffer[] = [];
  const encoder = new PayloadEncoder();
  let opCount = 0;
  let bodyBytes = 0;
  const cut = (): void => {
    opCount += encoder.opCount;
    const record = encoder.finish();
    records.push(record);
    bodyBytes += record.length;
  };
  for (const op of state) {
    encoder.add(op);
    if (encoder.byteLength >= RECORD_TARGET_BYTES) cut();
  }
  if (encoder.opCount > 0) cut();
  records.unshift(encodeHeader(generation, opCount, bodyBytes));
  return { generation, records, opCount, byteLength: HEADER_BYTES + bodyBytes };
}

/** Writes to a temporary file, fsyncs it, renames it over `path`, and fsyncs the directory. */
export async function writeSnapshot(path: string, snapshot: EncodedSnapshot): Promise<void> {
  const draft = `${path}.tmp`;
  const handle = await open(draft, 'w');
  try {
    const { bytesWritten } = await handle.writev(snapshot.records);
    if (bytesWritten !== snapshot.byteLength) {
      throw new Error(`short snapshot write: ${bytesWritten} of ${snapshot.byteLength} bytes`);
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(draft, path);
  await syncDirectory(dirname(path));
}

export interface LoadedSnapshot {
  generation: number;
  opCount: number;
  byteLength: number;
}

/**
 * Replays a snapshot into `apply`. Snapshots are renamed into place only once complete and
 * fsynced, so any damage here is corruption: it is reported, never silently cut.
 */
export async function loadSnapshot(path: string, apply: (op: JournalOp) => void): Promise<LoadedSnapshot> {
  const header = await readHeader(path);
  let opCount = 0;
  const scan = await scanRecords(path, HEADER_BYTES, (payload) => {
    opCount += decodePayload(payload, apply);
  });
  const byteLength = HEADER_BYTES + header.bodyBytes;
  if (scan.validBytes !== byteLength || scan.fileBytes !== byteLength || opCount !== header.opCount) {
    throw corruptSnapshot(
      path,
      `expected ${header.opCount} ops in ${byteLength} bytes, read ${opCount} ops in ${scan.validBytes} of ${scan.fileBytes} bytes`,
    );
  }
  return { generation: header.generation, opCount, byteLength };
}

function encodeHeader(generation: number, opCount: number, bodyBytes: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(generation, 8);
  header.writeUInt32LE(opCount, 12);
  header.writeDoubleLE(bodyBytes, 16);
  header.writeUInt32LE(crc32(header.subarray(0, 24)), 24);
  return header;
}

async function readHeader(path: string): Promise<{ generation: number; opCount: number; bodyBytes: number }> {
  const handle = await open(path, 'r');
  const header = Buffer.alloc(HEADER_BYTES);
  try {
    await handle.read(header, 0, HEADER_BYTES, 0);
  } finally {
    await handle.close();
  }
  if (!header.subarray(0, 8).equals(MAGIC) || crc32(header.subarray(0, 24)) !== header.readUInt32LE(24)) {
    throw corruptSnapshot(path, 'bad header');
  }
  return {
    generation: header.readUInt32LE(8),
    opCount: header.readUInt32LE(12),
    bodyBytes: header.readDoubleLE(16),
  };
}

function corruptSnapshot(path: string, detail: string): Error {
  return new Error(`快照文件已损坏 / Snapshot ${path} is corrupt (${detail}); restore the dataDir from a backup`);
}
