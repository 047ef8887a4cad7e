import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BSON, Binary, Decimal128, Double, Int32, Long, ObjectId } from 'bson';
import { MongoClient } from 'mongodb';
import { startEmbeddedMongo } from '../../src/embedded-mongo/index.js';
import { journalFiles, tempDataDir } from './storage-helpers.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDataDir()));
afterEach(() => remove());

async function readAll(dataDir: string): Promise<unknown[]> {
  const server = await startEmbeddedMongo({ dataDir, port: 0 });
  const client = await MongoClient.connect(server.uri);
  try {
    return await client.db('app').collection('typed').find({}, { sort: { n: 1 }, promoteValues: false }).toArray();
  } finally {
    await client.close();
    await server.stop();
  }
}

describe('file durability: inserted documents', () => {
  it('journals an insert’s documents as the client sent them and replays them to the same values', async () => {
    // Encodings a re-encoding would change (a small Long, a whole Double) and ones it keeps.
    const sentAsIs = { _id: new ObjectId(), n: 1, small: Long.fromNumber(5), whole: new Double(2), int: new Int32(7), money: Decimal128.fromString('1.50'), bytes: new Binary(Buffer.from([9, 8])), at: new Date(0), list: ['甲', { x: null }] };
    // No `_id`: the driver appends one last, the server moves it first (a new document, encoded anew).
    const withoutId = { n: 2, small: Long.fromNumber(6), text: '乙' };
    const server = await startEmbeddedMongo({ dataDir: dir, port: 0 });
    const client = await MongoClient.connect(server.uri);
    await client.db('app').collection('typed').insertMany([sentAsIs, withoutId]);
    const before = await client.db('app').collection('typed').find({}, { sort: { n: 1 }, promoteValues: false }).toArray();
    await client.close();
    await server.stop();

    const journal = Buffer.concat(await Promise.all((await journalFiles(dir)).map((name) => readFile(join(dir, name)))));
    expect(journal.includes(Buffer.from(BSON.serialize(sentAsIs)))).toBe(true);
    expect(await readAll(dir)).toEqual(before);
    expect(before[1]).toMatchObject({ n: new Int32(2), text: '乙' });
  });
});
