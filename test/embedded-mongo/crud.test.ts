import { Long, MongoClient, MongoServerError, ObjectId, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testMongoUri, uniqueDbName } from '../support/mongo.js';

const dbName = uniqueDbName('crud');

describe('CRUD semantics through the driver', () => {
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

  it('stores _id first and generates ObjectIds', async () => {
    const coll = db.collection('order');
    await coll.insertOne({ a: 1, _id: 'first' } as never);
    const raw = await coll.findOne({ _id: 'first' } as never);
    expect(Object.keys(raw ?? {})).toEqual(['_id', 'a']);
    const { insertedId } = await coll.insertOne({ b: 2 });
    expect(insertedId).toBeInstanceOf(ObjectId);
    expect(await coll.countDocuments({ _id: insertedId })).toBe(1);
  });

  it('builds upserted documents from the filter and $setOnInsert', async () => {
    const coll = db.collection('upserts');
    const result = await coll.updateOne(
      { code: 'A', 'meta.level': 2, n: { $gt: 5 } },
      { $set: { name: 'x' }, $setOnInsert: { created: true } },
      { upsert: true },
    );
    expect(result.upsertedCount).toBe(1);
    const doc = await coll.findOne({ _id: result.upsertedId as ObjectId });
    expect(doc).toMatchObject({ code: 'A', meta: { level: 2 }, name: 'x', created: true });
    expect(doc).not.toHaveProperty('n');
    await coll.updateOne({ code: 'A' }, { $set: { name: 'y' }, $setOnInsert: { created: false } }, { upsert: true });
    expect(await coll.findOne({ code: 'A' })).toMatchObject({ name: 'y', created: true });
    const replaced = await coll.replaceOne({ code: 'B' }, { code: 'B', replaced: true }, { upsert: true });
    expect(replaced.upsertedCount).toBe(1);
  });

  it('applies arrayFilters, positional $ and pipeline updates', async () => {
    const coll = db.collection('arrays');
    await coll.insertOne({ _id: 1, items: [{ k: 'a', v: 1 }, { k: 'b', v: 2 }], scores: [3, 8, 9] } as never);
    await coll.updateOne({ _id: 1 } as never, { $set: { 'items.$[it].v': 20 } }, { arrayFilters: [{ 'it.k': 'b' }] });
    await coll.updateOne({ _id: 1, scores: 8 } as never, { $set: { 'scores.$': 80 } });
    await coll.updateOne({ _id: 1 } as never, [{ $set: { total: { $sum: '$scores' } } }]);
    expect(await coll.findOne({ _id: 1 } as never)).toMatchObject({
      items: [{ k: 'a', v: 1 }, { k: 'b', v: 20 }],
      scores: [3, 80, 9],
      total: 92,
    });
  });

  it('reports matched and modified counts like MongoDB', async () => {
    const coll = db.collection('counts');
    await coll.insertMany([{ g: 1, v: 1 }, { g: 1, v: 2 }, { g: 2, v: 1 }]);
    const many = await coll.updateMany({ g: 1 }, { $set: { v: 1 } });
    expect(many).toMatchObject({ matchedCount: 2, modifiedCount: 1 });
    const deleted = await coll.deleteMany({ v: 1 });
    expect(deleted.deletedCount).toBe(3);
  });

  it('refuses to change _id', async () => {
    const coll = db.collection('immutable');
    await coll.insertOne({ _id: 'x', v: 1 } as never);
    await expect(coll.updateOne({ _id: 'x' } as never, { $set: { _id: 'y' } })).rejects.toMatchObject({ code: 66 });
  });

  it('pages through large results with getMore and int64 cursor ids', async () => {
    const coll = db.collection('paging');
    await coll.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
    const reply = await db.command({ find: 'paging', filter: {}, batchSize: 100 }, { promoteLongs: false });
    expect(reply.cursor.id).toBeInstanceOf(Long);
    expect(reply.cursor.firstBatch).toHaveLength(100);
    const all = await coll.find({}, { batchSize: 30 }).sort({ i: -1 }).toArray();
    expect(all).toHaveLength(250);
    expect(all[0]?.i).toBe(249);
    const limited = await coll.find({ i: { $gte: 100 } }).sort({ i: 1 }).skip(10).limit(5).project({ _id: 0 }).toArray();
    expect(limited).toEqual([{ i: 110 }, { i: 111 }, { i: 112 }, { i: 113 }, { i: 114 }]);
  });

  it('aggregates with a cursor, counts and lists distinct values', async () => {
    const coll = db.collection('agg');
    await coll.insertMany([
      { dept: 'health', n: 1 },
      { dept: 'health', n: 2 },
      { dept: 'culture', n: 5 },
    ]);
    const groups = await coll.aggregate([{ $group: { _id: '$dept', total: { $sum: '$n' } } }, { $sort: { _id: 1 } }]).toArray();
    expect(groups).toEqual([
      { _id: 'culture', total: 5 },
      { _id: 'health', total: 3 },
    ]);
    expect(await coll.estimatedDocumentCount()).toBe(3);
    expect((await coll.distinct('dept')).sort()).toEqual(['culture', 'health']);
  });

  it('acknowledges nothing for w:0 writes but applies them', async () => {
    const coll = db.collection('unacknowledged');
    const result = await coll.insertOne({ fire: 'and forget' }, { writeConcern: { w: 0 } });
    expect(result.acknowledged).toBe(false);
    await expect.poll(() => coll.countDocuments({ fire: 'and forget' }), { timeout: 5000 }).toBe(1);
  });

  it('names an unsupported query operator in its error', async () => {
    const coll = db.collection('agg');
    const error = await coll.find({ n: { $noSuchOperator: 1 } }).toArray().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as Error).message).toContain('$noSuchOperator');
    const stageError = await coll.aggregate([{ $noSuchStage: {} }]).toArray().catch((e: unknown) => e);
    expect((stageError as Error).message).toContain('$noSuchStage');
  });

  it('orders projected fields as MongoDB does: _id, kept fields in stored order, then computed ones', async () => {
    const coll = db.collection('projectionOrder');
    await coll.insertMany([
      { _id: 2, x: 1, y: 2, z: 3, tags: ['a', 'b', 'c'] },
      { _id: 1, x: 4, y: 5, z: 6, tags: ['d'] },
    ] as never[]);
    const keys = async (projection: Record<string, unknown>) =>
      (await coll.find({}, { projection, sort: { _id: 1 } }).toArray()).map((doc) => Object.keys(doc).join(','));
    expect(await keys({ a: { $literal: 1 } })).toEqual(['_id,a', '_id,a']);
    expect(await keys({ z: 1, y: 1 })).toEqual(['_id,y,z', '_id,y,z']);
    expect(await keys({ a: '$x', y: 1 })).toEqual(['_id,y,a', '_id,y,a']);
    expect(await keys({ x: { $add: ['$x', 1] }, y: 1, _id: 0 })).toEqual(['y,x', 'y,x']);
    expect(await keys({ tags: { $slice: 1 }, z: 1 })).toEqual(['_id,z,tags', '_id,z,tags']);
    const [first] = await coll.find({}, { projection: { sum: { $add: ['$x', '$y'] }, x: 1 }, sort: { _id: 1 } }).toArray();
    expect(first).toEqual({ _id: 1, x: 4, sum: 9 });
  });

  it('orders $project output as MongoDB does: _id first, computed fields after kept ones', async () => {
    const coll = db.collection('aggregateProjectionOrder');
    await coll.insertMany([{ _id: 1, x: 1, y: 2 }] as never[]);
    const keys = async (projection: Record<string, unknown>) => Object.keys((await coll.aggregate([{ $project: projection }]).toArray())[0] ?? {}).join(',');
    expect(await keys({ a: '$x', y: 1 })).toBe('_id,y,a');
    expect(await keys({ b: { $add: ['$x', '$y'] }, _id: 0, x: 1 })).toBe('x,b');
    expect(await keys({ a: { $literal: 1 } })).toBe('_id,a');
    expect(await keys({ y: 1, _id: { $add: ['$x', 10] } })).toBe('_id,y');
  });

  it('rejects documents over 16 MB', async () => {
    const coll = db.collection('large');
    const big = { blob: 'x'.repeat(17 * 1024 * 1024) };
    await expect(coll.insertOne(big)).rejects.toThrow();
    expect(await coll.countDocuments()).toBe(0);
    // Each request is small enough; the document they build is not.
    const { insertedId } = await coll.insertOne({ a: 'x'.repeat(9 * 1024 * 1024) });
    await expect(coll.updateOne({ _id: insertedId }, { $set: { b: 'y'.repeat(9 * 1024 * 1024) } })).rejects.toThrow();
    const stored = await coll.findOne({ _id: insertedId }, { projection: { a: 0 } });
    expect(stored).not.toHaveProperty('b');
  });

  it('enforces a collection validator on inserts and updates', async () => {
    await db.createCollection('validated', { validator: { level: { $in: [1, 2, 3, 4] }, name: { $type: 'string' } } });
    const coll = db.collection('validated');
    await coll.insertOne({ level: 2, name: '街道' });
    await expect(coll.insertOne({ level: 9, name: 'x' })).rejects.toMatchObject({ code: 121 });
    await expect(coll.updateOne({ level: 2 }, { $set: { name: 5 } })).rejects.toMatchObject({ code: 121 });
    expect(await coll.findOne({ level: 2 }, { projection: { _id: 0 } })).toEqual({ level: 2, name: '街道' });
  });

  it('serves read-only views defined by a pipeline', async () => {
    const source = db.collection('viewSource');
    await source.insertMany([
      { org: 'v1', kind: 'service', n: 1 },
      { org: 'v1', kind: 'policy', n: 2 },
      { org: 'v2', kind: 'service', n: 3 },
    ]);
    await db.createCollection('services', { viewOn: 'viewSource', pipeline: [{ $match: { kind: 'service' } }, { $project: { _id: 0, org: 1, n: 1 } }] });
    const view = db.collection('services');
    expect(await view.find({ n: { $gte: 2 } }).toArray()).toEqual([{ org: 'v2', n: 3 }]);
    expect(await view.estimatedDocumentCount()).toBe(2);
    expect(await view.countDocuments({ org: 'v1' })).toBe(1);
    const listed = await db.listCollections({ name: 'services' }).toArray();
    expect(listed[0]?.type).toBe('view');
    await expect(view.insertOne({ org: 'v3' })).rejects.toMatchObject({ code: 166 });
  });

  it('creates, lists and drops collections', async () => {
    await db.createCollection('made');
    await expect(db.createCollection('made')).rejects.toMatchObject({ code: 48 });
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names).toContain('made');
    expect(await db.collection('made').drop()).toBe(true);
    const after = (await db.listCollections({ name: 'made' }).toArray()).map((c) => c.name);
    expect(after).toEqual([]);
    const databases = await client.db('admin').admin().listDatabases();
    expect(databases.databases.some((d) => d.name === dbName)).toBe(true);
  });
});
