import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFile, open, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Binary, Decimal128, Long, ObjectId } from 'bson';
import { openFileDurability, type JournalOp } from '../../src/embedded-mongo/storage/index.js';
import { commitAll, journalFiles, openAndRecover, put, tempDataDir } from './storage-helpers.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDataDir()));
afterEach(() => remove());

const batches: JournalOp[][] = [
  [{ op: 'createCollection', db: 'app', coll: 'people', options: { capped: false } }, put('people', { _id: 1, name: '张三' })],
  [put('people', { _id: 2, name: 'Li' }), put('people', { _id: 3, name: 'Wang' }), put('pets', { _id: 'p1' }), put('people', { _id: 4 })],
  [{ op: 'createIndex', db: 'app', coll: 'people', index: { name: 'name_1', key: { name: 1 }, unique: true } }],
  [{ op: 'delete', db: 'app', coll: 'people', id: 2 }, { op: 'dropIndex', db: 'app', coll: 'people', name: 'name_1' }],
  [{ op: 'dropCollection', db: 'app', coll: 'pets' }, { op: 'dropDatabase', db: 'old' }],
];

async function journalPath(): Promise<string> {
  const [name] = await journalFiles(dir);
  return join(dir, name!);
}

/** Sizes of the records in the journal, read from their length fields. */
async function recordSizes(): Promise<number[]> {
  const bytes = await readFile(await journalPath());
  const sizes: number[] = [];
  for (let offset = 0; offset < bytes.length; offset += sizes.at(-1)!) sizes.push(8 + bytes.readUInt32LE(offset));
  return sizes;
}

describe('file durability: journal', () => {
  it('replays every committed op in order, with BSON types intact', async () => {
    const typed = put('types', {
      _id: new ObjectId(),
      when: new Date('2024-05-01T00:00:00Z'),
      big: Long.fromString('9007199254740993'),
      money: Decimal128.fromString('12.50'),
      bytes: new Binary(Buffer.from([1, 2, 3])),
      nested: { list: [1, 'two', null, { three: 3.5 }] },
    });
    const first = await openAndRecover(dir);
    expect(first.stats).toEqual({ snapshotOps: 0, journalOps: 0, tornTailBytes: 0 });
    await commitAll(first.store, [...batches, [typed]]);
    await first.store.close();

    const second = await openAndRecover(dir);
    expect(second.ops).toEqual([...batches.flat(), typed]);
    expect(second.stats).toEqual({ snapshotOps: 0, journalOps: batches.flat().length + 1, tornTailBytes: 0 });
    await second.store.close();
  });

  it('encodes batches larger than its initial buffer and recovers from a batch that cannot encode', async () => {
    const { store } = await openAndRecover(dir);
    const large = [put('big', { _id: 'large', text: 'x'.repeat(3_000_000) }), ...Array.from({ length: 2000 }, (_, i) => put('big', { _id: i }))];
    await store.commit(large);
    const circular: Record<string, unknown> = { _id: 'loop' };
    circular.self = circular;
    await expect(store.commit([put('big', { _id: 'ok-before' }), put('big', circular)])).rejects.toThrow(/circular/i);
    await store.commit(batches[0]!);
    await store.close();
    const reopened = await openAndRecover(dir);
    expect(reopened.ops).toEqual([...large, ...batches[0]!]);
    await reopened.store.close();
  });

  it('keeps binary values intact when the journal is longer than one read chunk', async () => {
    // bson decodes Binary as a view into the bytes it reads, so replay must never reuse them.
    const { store } = await openAndRecover(dir);
    const marked = put('blobs', { _id: 'first', data: new Binary(Buffer.from('original bytes')) });
    await store.commit([marked]);
    const filler = Array.from({ length: 40 }, (_, i) => put('blobs', { _id: i, data: new Binary(Buffer.alloc(1024 * 1024, i)) }));
    for (const op of filler) await store.commit([op]);
    await store.close();
    const reopened = await openAndRecover(dir);
    await reopened.store.close();
    // Compared as text: a diff of 40 MB of bytes would swamp the report.
    const bytesOf = (op: JournalOp | undefined) => (op?.op === 'put' ? Buffer.from((op.doc.data as Binary).buffer).toString('hex') : '');
    expect(reopened.ops).toHaveLength(41);
    expect(Buffer.from(bytesOf(reopened.ops[0]), 'hex').toString()).toBe('original bytes');
    const damaged = filler.filter((op, i) => bytesOf(op) !== bytesOf(reopened.ops[i + 1])).length;
    expect(damaged).toBe(0);
  });

  it('keeps concurrent commits in call order and resolves each after its write', async () => {
    const { store } = await openAndRecover(dir);
    const concurrent = Array.from({ length: 300 }, (_, i) => [put('c', { _id: i })]);
    await Promise.all(concurrent.map((batch) => store.commit(batch)));
    await store.close();
    const reopened = await openAndRecover(dir);
    expect(reopened.ops).toEqual(concurrent.flat());
    await reopened.store.close();
  });

  it('cuts a torn tail at any byte of the last record and keeps every record before it', async () => {
    const { store } = await openAndRecover(dir);
    await commitAll(store, batches.slice(0, 3));
    await store.close();
    const sizes = await recordSizes();
    const intact = sizes[0]! + sizes[1]!;
    const full = intact + sizes[2]!;

    for (const cut of [1, 4, 8, 9, sizes[2]! - 1]) {
      await truncate(await journalPath(), full - cut);
      const torn = await openAndRecover(dir);
      expect(torn.ops).toEqual(batches.slice(0, 2).flat());
      expect(torn.stats.tornTailBytes).toBe(sizes[2]! - cut);
      expect((await stat(await journalPath())).size).toBe(intact);
      // Restore the third record for the next cut, through the store itself.
      await torn.store.commit(batches[2]!);
      await torn.store.close();
    }
    const final = await openAndRecover(dir);
    expect(final.ops).toEqual(batches.slice(0, 3).flat());
    await final.store.close();
  });

  it('applies a multi-op batch whole or not at all', async () => {
    const { store } = await openAndRecover(dir);
    await commitAll(store, batches.slice(0, 2));
    await store.close();
    const sizes = await recordSizes();
    await truncate(await journalPath(), sizes[0]! + Math.floor(sizes[1]! / 2));
    const torn = await openAndRecover(dir);
    expect(torn.ops).toEqual(batches[0]);
    await torn.store.close();
  });

  it('detects a CRC mismatch in the last record and cuts it', async () => {
    const { store } = await openAndRecover(dir);
    await commitAll(store, batches.slice(0, 3));
    await store.close();
    const sizes = await recordSizes();
    await flipByte(await journalPath(), sizes[0]! + sizes[1]! + sizes[2]! - 3);
    const corrupt = await openAndRecover(dir);
    expect(corrupt.ops).toEqual(batches.slice(0, 2).flat());
    expect(corrupt.stats.tornTailBytes).toBe(sizes[2]);
    await corrupt.store.close();
  });

  it('stops at the first corrupt record: a bad middle record cuts it and everything after', async () => {
    const { store } = await openAndRecover(dir);
    await commitAll(store, batches.slice(0, 3));
    await store.close();
    const sizes = await recordSizes();
    await flipByte(await journalPath(), sizes[0]! + 12);
    const corrupt = await openAndRecover(dir);
    expect(corrupt.ops).toEqual(batches[0]);
    expect(corrupt.stats.tornTailBytes).toBe(sizes[1]! + sizes[2]!);
    await corrupt.store.close();
  });

  it('treats a corrupt length field and a zero-filled tail as torn', async () => {
    const { store } = await openAndRecover(dir);
    await commitAll(store, batches.slice(0, 2));
    await store.close();
    const sizes = await recordSizes();
    await flipByte(await journalPath(), sizes[0]!); // low byte of the second record's length
    let reopened = await openAndRecover(dir);
    expect(reopened.ops).toEqual(batches[0]);
    expect(reopened.stats.tornTailBytes).toBe(sizes[1]);
    await reopened.store.close();

    await appendFile(await journalPath(), Buffer.alloc(4096));
    reopened = await openAndRecover(dir);
    expect(reopened.ops).toEqual(batches[0]);
    expect(reopened.stats.tornTailBytes).toBe(4096);
    await reopened.store.close();
  });

  it('refuses writes before recovery, a second recovery, and use after close', async () => {
    const store = await openFileDurability(dir);
    await expect(store.commit(batches[0]!)).rejects.toThrow(/recover\(\)/);
    await store.recover(() => undefined);
    await expect(store.recover(() => undefined)).rejects.toThrow(/only once/);
    await store.close();
    await expect(store.commit(batches[0]!)).rejects.toThrow(/closed/);
  });

  it('rejects invalid options with a clear error', async () => {
    await expect(openFileDurability(dir, { compactionMinBytes: -1 })).rejects.toThrow(/compactionMinBytes/);
  });

  it('reports a record whose checksum passes but whose payload does not parse', async () => {
    const { store } = await openAndRecover(dir);
    await store.close();
    // A well-framed record holding a BSON document with an unknown op.
    const { crc32 } = await import('node:zlib');
    const { serialize } = await import('bson');
    const payload = serialize({ op: 'truncateEverything' });
    const record = Buffer.alloc(8 + payload.length);
    record.writeUInt32LE(payload.length, 0);
    record.set(payload, 8);
    record.writeUInt32LE(crc32(payload, crc32(record.subarray(0, 4))), 4);
    await writeFile(await journalPath(), record);
    await expect(openAndRecover(dir)).rejects.toThrow(/unknown op "truncateEverything"/);
  });
});

async function flipByte(path: string, offset: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, offset);
    byte[0] = byte[0]! ^ 0xff;
    await handle.write(byte, 0, 1, offset);
  } finally {
    await handle.close();
  }
}
