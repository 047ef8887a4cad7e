import { MongoClient, type ChangeStreamDocument, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testMongoUri, uniqueDbName } from '../support/mongo.js';

const dbName = uniqueDbName('changes');

describe('change streams', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(testMongoUri());
    db = client.db(dbName);
    await db.createCollection('feeds');
    await db.createCollection('other');
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('reports inserts, updates and deletes on a collection in order', async () => {
    const feeds = db.collection('feeds');
    const stream = feeds.watch([], { fullDocument: 'updateLookup' });
    try {
      // The stream's cursor is open on the server once its first batch has been requested.
      await stream.tryNext();
      const { insertedId } = await feeds.insertOne({ code: 'health', runs: 0 });
      await db.collection('other').insertOne({ ignored: true });
      await feeds.updateOne({ _id: insertedId }, { $inc: { runs: 1 } });
      await feeds.deleteOne({ _id: insertedId });
      const events: ChangeStreamDocument[] = [];
      while (events.length < 3) events.push(await stream.next());
      expect(events.map((event) => event.operationType)).toEqual(['insert', 'update', 'delete']);
      const [inserted, updated, deleted] = events;
      expect(inserted).toMatchObject({ ns: { db: dbName, coll: 'feeds' }, documentKey: { _id: insertedId }, fullDocument: { code: 'health', runs: 0 } });
      expect(updated).toMatchObject({ updateDescription: { updatedFields: { runs: 1 }, removedFields: [] } });
      expect(deleted).toMatchObject({ documentKey: { _id: insertedId } });
    } finally {
      await stream.close();
    }
  });

  it('filters events with a $match pipeline', async () => {
    const feeds = db.collection('feeds');
    const stream = feeds.watch([{ $match: { operationType: 'insert', 'fullDocument.code': 'culture' } }]);
    try {
      await stream.tryNext();
      await feeds.insertMany([{ code: 'education' }, { code: 'culture' }]);
      const event = await stream.next();
      expect(event).toMatchObject({ operationType: 'insert', fullDocument: { code: 'culture' } });
    } finally {
      await stream.close();
    }
  });
});
