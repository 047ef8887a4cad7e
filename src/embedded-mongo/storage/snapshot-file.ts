import { crc32 } from 'node:zlib';
import { open, rename, stat, type FileHandle } from 'node:fs/promises';
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

/**
 * Writes `state` as a snapshot: to a temporary file, record by record (so the server keeps
 * serving between records and the encoded state is never all in memory), then the header,
 * fsync, rename over `path`, and fsync of the directory. `state` must already be a fixed
 * point in time (the catalog's dump captures its documents, which are never mutated).
 * Returns the snapshot's size in bytes.
 */
export async function writeSnapshot(path: string, generation: number, state: Iterable<JournalOp>): Promise<number> {
  const draft = `${path}.tmp`;
  const handle = await open(draft, 'w');
  try {
    const encoder = new PayloadEncoder();
    let opCount = 0;
    let position = HEADER_BYTES;
    const cut = async (): Promise<void> => {
      opCount += encoder.opCount;
      const record = encoder.finish();
      await writeFully(handle, record, position);
      position += record.length;
    };
    for (const op of state) {
      encoder.add(op);
      if (encoder.byteLength >= RECORD_TARGET_BYTES) await cut();
    }
    if (encoder.opCount > 0) await cut();
    // The header goes last: a draft cut short has no valid header and is never renamed into place.
    await writeFully(handle, encodeHeader(generation, opCount, position - HEADER_BYTES), 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(draft, path);
  await syncDirectory(dirname(path));
  return (await stat(path)).size;
}

async function writeFully(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  const { bytesWritten } = await handle.write(bytes, 0, bytes.length, position);
  if (bytesWritten !== bytes.length) throw new Error(`short snapshot write: ${bytesWritten} of ${bytes.length} bytes`);
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
