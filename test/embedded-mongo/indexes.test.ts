import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testMongoUri, uniqueDbName } from '../support/mongo.js';

const dbName = uniqueDbName('indexes');

describe('indexes', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(testMongoUri());
    db = client.db(dbName);
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('keeps _id unique with MongoDB’s error shape', async () => {
    const coll = db.collection('ids');
    await coll.insertOne({ _id: 'a' } as never);
    const error = await coll.insertOne({ _id: 'a' } as never).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 11000, keyPattern: { _id: 1 }, keyValue: { _id: 'a' } });
    expect((error as Error).message).toContain(`E11000 duplicate key error collection: ${dbName}.ids index: _id_ dup key: { _id: "a" }`);
  });

  it('enforces unique, compound, sparse and partial indexes', async () => {
    const coll = db.collection('people');
    await coll.createIndex({ email: 1 }, { unique: true, sparse: true });
    await coll.createIndex({ org: 1, code: 1 }, { unique: true, name: 'org_code' });
    await coll.createIndex({ badge: 1 }, { unique: true, partialFilterExpression: { active: true } });
    await coll.insertMany([
      { name: 'a', email: 'a@x.cn', org: 1, code: 'c1', badge: 7, active: true },
      { name: 'b', org: 1, code: 'c2', badge: 7, active: false },
      { name: 'c', org: 2, code: 'c1' },
    ]);
    // Sparse: a second document without email is fine.
    await coll.insertOne({ name: 'd', org: 3, code: 'c1' });
    await expect(coll.insertOne({ email: 'a@x.cn', org: 9, code: 'z' })).rejects.toMatchObject({
      code: 11000,
      keyValue: { email: 'a@x.cn' },
    });
    await expect(coll.insertOne({ org: 1, code: 'c2' })).rejects.toMatchObject({
      code: 11000,
      keyPattern: { org: 1, code: 1 },
      keyValue: { org: 1, code: 'c2' },
    });
    await expect(coll.insertOne({ org: 5, code: 'p', badge: 7, active: true })).rejects.toMatchObject({ code: 11000 });
    await expect(coll.updateOne({ name: 'c' }, { $set: { org: 1 } })).rejects.toMatchObject({ code: 11000 });
    const indexNames = (await coll.listIndexes().toArray()).map((index) => index.name).sort();
    expect(indexNames).toEqual(['_id_', 'badge_1', 'email_1', 'org_code']);
  });

  it('a unique sparse index on an array field: no two documents share an element, as on MongoDB', async () => {
    const coll = db.collection('claims');
    await coll.createIndex({ claims: 1 }, { unique: true, sparse: true });
    // One document may repeat an element; documents without the field are not indexed.
    await coll.insertMany([{ name: 'a', claims: ['doc:1', 'url:a', 'doc:1'] }, { name: 'b' }, { name: 'c' }]);
    await expect(coll.insertOne({ name: 'd', claims: ['url:b', 'url:a'] })).rejects.toMatchObject({
      code: 11000,
      keyValue: { claims: 'url:a' },
    });
    await coll.insertOne({ name: 'e', claims: ['url:b'] });
    await expect(coll.updateOne({ name: 'e' }, { $addToSet: { claims: 'doc:1' } } as never)).rejects.toMatchObject({ code: 11000 });
    await expect(coll.updateOne({ name: 'b' }, { $set: { claims: 'doc:1' } })).rejects.toMatchObject({ code: 11000 });
    // An unordered batch reports each refused insert by its index and stores the others.
    const error = (await coll
      .bulkWrite([{ insertOne: { document: { name: 'f', claims: ['doc:2'] } } }, { insertOne: { document: { name: 'g', claims: ['doc:2'] } } }, { insertOne: { document: { name: 'h', claims: ['doc:3'] } } }], { ordered: false })
      .catch((e: unknown) => e)) as { code?: number; writeErrors?: Array<{ index: number; code: number }> };
    expect(error.writeErrors?.map((w) => [w.index, w.code])).toEqual([[1, 11000]]);
    expect((await coll.find({ name: { $in: ['f', 'g', 'h'] } }).toArray()).map((doc) => doc.name).sort()).toEqual(['f', 'h']);
    expect(await coll.countDocuments({ claims: 'doc:1' })).toBe(1);
  });

  it('refuses to build a unique index over existing duplicates', async () => {
    const coll = db.collection('dups');
    await coll.insertMany([{ k: 1 }, { k: 1 }]);
    await expect(coll.createIndex({ k: 1 }, { unique: true })).rejects.toMatchObject({ code: 11000 });
  });

  it('answers equality, $in, range and $or queries on indexed fields exactly', async () => {
    const coll = db.collection('numbers');
    await coll.createIndex({ n: 1 });
    await coll.createIndex({ tags: 1 });
    await coll.createIndex({ at: 1 });
    const base = Date.UTC(2025, 0, 1);
    await coll.insertMany(
      Array.from({ length: 500 }, (_, i) => ({
        n: i,
        tags: [`t${i % 7}`, `u${i % 11}`],
        at: new Date(base + i * 60_000),
        mixed: i % 2 === 0 ? i : String(i),
      })),
    );
    await coll.insertOne({ n: 'text', tags: 't0' });
    expect(await coll.countDocuments({ n: 42 })).toBe(1);
    expect(await coll.countDocuments({ n: { $in: [1, 2, 3, 999] } })).toBe(3);
    expect(await coll.countDocuments({ n: { $gte: 100, $lt: 200 } })).toBe(100);
    // Type bracketing: a numeric range never matches the string.
    expect(await coll.countDocuments({ n: { $gt: -1 } })).toBe(500);
    expect(await coll.countDocuments({ n: { $gt: 'a' } })).toBe(1);
    expect(await coll.countDocuments({ tags: 't3' })).toBe(Math.ceil((500 - 3) / 7));
    expect(await coll.countDocuments({ tags: 't0' })).toBe(Math.ceil(500 / 7) + 1);
    expect(await coll.countDocuments({ tags: { $in: ['t1', 'u1'] } })).toBe(
      Array.from({ length: 500 }, (_, i) => i).filter((i) => i % 7 === 1 || i % 11 === 1).length,
    );
    expect(await coll.countDocuments({ at: { $lt: new Date(base + 10 * 60_000) } })).toBe(10);
    expect(await coll.countDocuments({ $or: [{ n: 1 }, { n: { $gt: 495 } }] })).toBe(5);
    expect(await coll.countDocuments({ n: { $gte: 10, $lte: 20 }, mixed: { $type: 'string' } })).toBe(5);
    const sorted = await coll.find({ n: { $lt: 5 } }).sort({ n: -1 }).project({ _id: 0, n: 1 }).toArray();
    expect(sorted).toEqual([{ n: 4 }, { n: 3 }, { n: 2 }, { n: 1 }, { n: 0 }]);
  });

  it('returns sorted pages in index order, also after updates', async () => {
    const coll = db.collection('pages');
    await coll.createIndex({ at: 1 });
    await coll.insertMany(Array.from({ length: 3000 }, (_, i) => ({ at: (i * 7919) % 3000, g: i % 3 })));
    await coll.insertOne({ g: 0 });
    const page = await coll.find({ g: 1 }).sort({ at: -1 }).skip(2).limit(3).project({ _id: 0, at: 1 }).toArray();
    const expected = Array.from({ length: 3000 }, (_, i) => ({ at: (i * 7919) % 3000, g: i % 3 }))
      .filter((doc) => doc.g === 1)
      .map((doc) => doc.at)
      .sort((a, b) => b - a)
      .slice(2, 5);
    expect(page.map((doc) => doc.at)).toEqual(expected);
    const topN = await coll.aggregate([{ $match: { g: 1 } }, { $sort: { at: -1 } }, { $limit: 5 }, { $skip: 2 }, { $project: { _id: 0, at: 1 } }]).toArray();
    expect(topN.map((doc) => doc.at)).toEqual(expected);
    await coll.updateOne({ at: expected[0] }, { $set: { at: 5000 } });
    const top = await coll.find({ g: 1 }).sort({ at: -1 }).limit(1).toArray();
    expect(top[0]?.at).toBe(5000);
    const first = await coll.find({}).sort({ at: 1 }).limit(2).project({ _id: 0, at: 1 }).toArray();
    expect(first).toEqual([{}, { at: 0 }]);
  });

  it('pages by a compound index with an equality prefix and a tie-breaking second sort key', async () => {
    const coll = db.collection<{ _id: number; status: string; publishedAt: Date }>('feed');
    await coll.createIndex({ status: 1, publishedAt: -1 });
    const docs = Array.from({ length: 2500 }, (_, i) => ({
      _id: i,
      status: i % 5 === 0 ? 'DRAFT' : 'PUBLISHED',
      publishedAt: new Date(Date.UTC(2025, 0, 1 + Math.floor(i / 10))),
    }));
    await coll.insertMany(docs);
    const expected = docs
      .filter((doc) => doc.status === 'PUBLISHED')
      .sort((a, b) => b.publishedAt.getTime() - a.publishedAt.getTime() || b._id - a._id);
    const firstPage = await coll.find({ status: 'PUBLISHED' }).sort({ publishedAt: -1, _id: -1 }).limit(15).toArray();
    expect(firstPage.map((doc) => doc._id)).toEqual(expected.slice(0, 15).map((doc) => doc._id));
    const last = firstPage[firstPage.length - 1] as (typeof docs)[number];
    const nextPage = await coll
      .find({
        status: 'PUBLISHED',
        $or: [{ publishedAt: { $lt: last.publishedAt } }, { publishedAt: last.publishedAt, _id: { $lt: last._id } }],
      })
      .sort({ publishedAt: -1, _id: -1 })
      .limit(15)
      .toArray();
    expect(nextPage.map((doc) => doc._id)).toEqual(expected.slice(15, 30).map((doc) => doc._id));
    const ranged = await coll
      .find({ status: 'PUBLISHED', publishedAt: { $lt: new Date(Date.UTC(2025, 0, 3)) } })
      .sort({ publishedAt: 1 })
      .limit(100)
      .toArray();
    expect(ranged.map((doc) => doc._id).sort((a, b) => a - b)).toEqual(
      expected.filter((doc) => doc.publishedAt < new Date(Date.UTC(2025, 0, 3))).map((doc) => doc._id).sort((a, b) => a - b),
    );
  });

  it('matches multikey arrays where different elements satisfy each bound', async () => {
    const coll = db.collection('multikey');
    await coll.createIndex({ v: 1 });
    await coll.insertMany([{ v: [1, 10] }, { v: [5] }, { v: 20 }]);
    expect(await coll.countDocuments({ v: { $gt: 3, $lt: 7 } })).toBe(2);
    expect(await coll.countDocuments({ v: { $elemMatch: { $gt: 3, $lt: 7 } } })).toBe(1);
  });

  it('sees documents after updates and deletes move their keys', async () => {
    const coll = db.collection('moving');
    await coll.createIndex({ s: 1 });
    await coll.insertMany([{ s: 'a' }, { s: 'b' }]);
    await coll.updateOne({ s: 'a' }, { $set: { s: 'c' } });
    expect(await coll.countDocuments({ s: 'a' })).toBe(0);
    expect(await coll.countDocuments({ s: { $gte: 'b' } })).toBe(2);
    await coll.deleteOne({ s: 'b' });
    expect(await coll.countDocuments({ s: { $in: ['a', 'b', 'c'] } })).toBe(1);
  });

  it('keeps keys shared by many documents exact across bulk inserts, repeated elements, reads, updates and deletes', async () => {
    const coll = db.collection('shared_keys');
    await coll.createIndex({ tags: 1 });
    await coll.createIndex({ group: 1, tags: 1 });
    const docs = Array.from({ length: 60 }, (_, i) => ({ i, group: i % 3, tags: i % 2 === 0 ? ['x', 'x', 7, 'even'] : ['x', 'odd'] }));
    await coll.insertMany(docs.slice(0, 30));
    expect(await coll.countDocuments({ tags: 'x' })).toBe(30);
    // Inserted after a read of the same keys, and with repeated elements.
    await coll.insertMany(docs.slice(30));
    expect(await coll.countDocuments({ tags: 'x' })).toBe(60);
    expect(await coll.countDocuments({ tags: 7 })).toBe(30);
    expect(await coll.countDocuments({ group: 1, tags: 'even' })).toBe(10);
    await coll.deleteMany({ i: { $lt: 10 } });
    await coll.updateMany({ i: { $gte: 50 } }, { $set: { tags: ['y'] } });
    expect(await coll.countDocuments({ tags: 'x' })).toBe(40);
    expect(await coll.countDocuments({ tags: { $in: ['even', 7] } })).toBe(20);
    expect(await coll.countDocuments({ tags: 'y' })).toBe(10);
    expect(await coll.countDocuments({ group: 1, tags: 'even' })).toBe(7);
    await coll.insertOne({ i: 99, group: 1, tags: ['even', 'even'] });
    expect(await coll.countDocuments({ group: 1, tags: 'even' })).toBe(8);
    await coll.deleteOne({ i: 99 });
    expect(await coll.countDocuments({ group: 1, tags: 'even' })).toBe(7);
  });

  it('drops indexes by name and rejects dropping _id_', async () => {
    const coll = db.collection('droppable');
    await coll.createIndex({ x: 1 });
    await coll.dropIndex('x_1');
    await expect(coll.dropIndex('x_1')).rejects.toMatchObject({ code: 27 });
    await expect(coll.dropIndex('_id_')).rejects.toMatchObject({ code: 72 });
  });

  it('expires documents through a TTL index', { timeout: 150_000 }, async () => {
    const coll = db.collection('sessions');
    await coll.createIndex({ createdAt: 1 }, { expireAfterSeconds: 1 });
    await coll.insertMany([{ createdAt: new Date(Date.now() - 60_000) }, { createdAt: new Date(Date.now() + 3_600_000) }]);
    // MongoDB's TTL monitor runs every 60 seconds; the embedded one more often.
    await expect.poll(() => coll.countDocuments(), { timeout: 140_000, interval: 500 }).toBe(1);
  });
});
