import { MongoClient, MongoServerError, type Collection } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { storeIsEmbedded, testMongoUri, uniqueDbName } from '../support/mongo.js';

/**
 * Collation, `let` and `$merge` beyond what the driver specification's CRUD suite covers:
 * sort order, the modes of `$merge`, and the clear refusals of what the embedded server lacks.
 */
interface Word {
  _id: number;
  w: string;
  keep?: boolean;
}

describe('collation, let and $merge', () => {
  let client: MongoClient;
  let words: Collection<Word>;
  let target: Collection<Word>;

  beforeAll(async () => {
    client = await new MongoClient(testMongoUri()).connect();
    const db = client.db(uniqueDbName('collation'));
    words = db.collection<Word>('words');
    target = db.collection<Word>('target');
  });

  afterAll(async () => {
    await client.close();
  });

  beforeEach(async () => {
    await words.deleteMany({});
    await target.deleteMany({});
    await words.insertMany([
      { _id: 1, w: 'b' },
      { _id: 2, w: 'B' },
      { _id: 3, w: 'a' },
      { _id: 4, w: 'C' },
    ]);
  });

  const caseInsensitive = { locale: 'en_US', strength: 2 };

  it('matches strings case-insensitively and sorts by the locale under strength 2', async () => {
    const matched = await words.find({ w: { $in: ['B', 'x'] } }, { collation: caseInsensitive, sort: { _id: 1 } }).toArray();
    expect(matched.map((doc) => doc._id)).toEqual([1, 2]);
    expect(await words.countDocuments({ w: { $ne: 'b' } }, { collation: caseInsensitive })).toBe(2);
    const sorted = await words.find({}, { collation: { locale: 'en_US' }, sort: { w: 1, _id: 1 } }).toArray();
    expect(sorted.map((doc) => doc.w)).toEqual(['a', 'b', 'B', 'C']);
    const binary = await words.find({}, { sort: { w: 1, _id: 1 } }).toArray();
    expect(binary.map((doc) => doc.w)).toEqual(['B', 'C', 'a', 'b']);
  });

  it('binds let variables in $expr filters of find and delete', async () => {
    const found = await words.find({ $expr: { $eq: ['$w', '$$wanted'] } }, { let: { wanted: 'C' } }).toArray();
    expect(found.map((doc) => doc._id)).toEqual([4]);
    const deleted = await words.deleteMany({ $expr: { $in: ['$_id', '$$ids'] } }, { let: { ids: [1, 3] } });
    expect(deleted.deletedCount).toBe(1 + 1);
  });

  it.runIf(storeIsEmbedded())('refuses collations and collated comparisons it cannot honour, naming them', async () => {
    await expect(words.find({ w: 'b' }, { collation: { locale: 'en_US', strength: 1 } }).toArray()).rejects.toMatchObject({
      code: 238,
      message: expect.stringMatching(/collation/),
    });
    await expect(words.find({ w: { $gt: 'a' } }, { collation: caseInsensitive }).toArray()).rejects.toMatchObject({
      code: 238,
      message: expect.stringMatching(/\$gt on strings under a collation/),
    });
  });

  it('merges pipeline output by _id with each whenMatched and whenNotMatched mode', async () => {
    await target.insertMany([
      { _id: 1, w: 'old', keep: true },
      { _id: 2, w: 'old', keep: true },
    ]);
    const into = target.collectionName;
    await words.aggregate([{ $match: { _id: 1 } }, { $merge: { into } }]).toArray();
    await words.aggregate([{ $match: { _id: 2 } }, { $merge: { into, whenMatched: 'replace' } }]).toArray();
    await words.aggregate([{ $match: { _id: 3 } }, { $merge: { into, whenNotMatched: 'discard' } }]).toArray();
    await words.aggregate([{ $match: { _id: 4 } }, { $merge: { into, whenMatched: 'keepExisting' } }]).toArray();
    expect(await target.find({}, { sort: { _id: 1 } }).toArray()).toEqual([
      { _id: 1, w: 'b', keep: true },
      { _id: 2, w: 'B' },
      { _id: 4, w: 'C' },
    ]);
    const failing = words.aggregate([{ $match: { _id: 1 } }, { $merge: { into, whenMatched: 'fail' } }]).toArray();
    await expect(failing).rejects.toBeInstanceOf(MongoServerError);
  });

  it('refuses sort in update statements, as the advertised 7.0 does', async () => {
    const server = await client.db('admin').command({ buildInfo: 1 });
    if (Number(String(server.version).split('.')[0]) >= 8) return;
    await expect(words.updateOne({}, { $set: { x: 1 } }, { sort: { _id: -1 } })).rejects.toBeInstanceOf(MongoServerError);
  });
});
