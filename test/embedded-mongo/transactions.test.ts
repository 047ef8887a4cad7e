import { Long, MongoClient, MongoServerError, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testMongoUri, uniqueDbName } from '../support/mongo.js';

const dbName = uniqueDbName('txn');

describe('transactions and concurrency', () => {
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = await MongoClient.connect(testMongoUri());
    db = client.db(dbName);
    await db.createCollection('accounts');
    await db.createCollection('counters');
  });

  afterAll(async () => {
    await db.dropDatabase();
    await client.close();
  });

  it('hides writes until commit and discards them on abort', async () => {
    const accounts = db.collection('accounts');
    const session = client.startSession();
    try {
      session.startTransaction();
      await accounts.insertOne({ _id: 'alice', balance: 100 } as never, { session });
      expect(await accounts.findOne({ _id: 'alice' } as never)).toBeNull();
      expect(await accounts.findOne({ _id: 'alice' } as never, { session })).toMatchObject({ balance: 100 });
      await session.commitTransaction();
      expect(await accounts.findOne({ _id: 'alice' } as never)).toMatchObject({ balance: 100 });

      session.startTransaction();
      await accounts.updateOne({ _id: 'alice' } as never, { $inc: { balance: -30 } }, { session });
      await accounts.insertOne({ _id: 'bob', balance: 30 } as never, { session });
      await session.abortTransaction();
      expect(await accounts.findOne({ _id: 'alice' } as never)).toMatchObject({ balance: 100 });
      expect(await accounts.findOne({ _id: 'bob' } as never)).toBeNull();
    } finally {
      await session.endSession();
    }
  });

  it('reads a snapshot taken when the transaction began', async () => {
    const accounts = db.collection('snapshots');
    await accounts.insertMany([{ _id: 'p', v: 1 }, { _id: 'q', v: 1 }] as never[]);
    const session = client.startSession();
    try {
      session.startTransaction();
      expect(await accounts.findOne({ _id: 'p' } as never, { session })).toMatchObject({ v: 1 });
      // Committed by others after the transaction's first read: invisible to it.
      await accounts.updateOne({ _id: 'p' } as never, { $set: { v: 2 } });
      await accounts.deleteOne({ _id: 'q' } as never);
      await accounts.insertOne({ _id: 'r', v: 1 } as never);
      expect(await accounts.findOne({ _id: 'p' } as never, { session })).toMatchObject({ v: 1 });
      expect(await accounts.countDocuments({ v: 1 }, { session })).toBe(2);
      expect((await accounts.find({}, { session }).toArray()).map((doc) => doc._id).sort()).toEqual(['p', 'q']);
      // Writing a document changed since the snapshot is a conflict.
      const error = await accounts.updateOne({ _id: 'p' } as never, { $set: { v: 3 } }, { session }).catch((e: unknown) => e);
      expect((error as MongoServerError).code).toBe(112);
      await session.abortTransaction().catch(() => undefined);
    } finally {
      await session.endSession();
    }
    expect((await accounts.find({}).toArray()).map((doc) => [doc._id, doc.v])).toEqual([
      ['p', 2],
      ['r', 1],
    ]);
  });

  it('enforces unique indexes among a transaction’s own writes', async () => {
    const members = db.collection('members');
    await members.createIndex({ idCard: 1 }, { unique: true });
    await members.insertOne({ idCard: 'A1' });
    const session = client.startSession();
    try {
      session.startTransaction();
      await members.insertOne({ idCard: 'B2' }, { session });
      await expect(members.insertOne({ idCard: 'B2' }, { session })).rejects.toMatchObject({ code: 11000 });
      await session.abortTransaction().catch(() => undefined);
      session.startTransaction();
      await expect(members.insertOne({ idCard: 'A1' }, { session })).rejects.toMatchObject({ code: 11000 });
      await session.abortTransaction().catch(() => undefined);
      session.startTransaction();
      // Freeing a key and taking it again inside one transaction is allowed.
      await members.updateOne({ idCard: 'A1' }, { $set: { idCard: 'A0' } }, { session });
      await members.insertOne({ idCard: 'A1', second: true }, { session });
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
    expect(await members.countDocuments({ idCard: { $in: ['A0', 'A1'] } })).toBe(2);
    expect(await members.countDocuments({ idCard: 'B2' })).toBe(0);
  });

  it('reports a conflicting write as a transient WriteConflict', async () => {
    const accounts = db.collection('accounts');
    await accounts.insertOne({ _id: 'carol', balance: 10 } as never);
    const first = client.startSession();
    const second = client.startSession();
    try {
      first.startTransaction();
      second.startTransaction();
      await accounts.updateOne({ _id: 'carol' } as never, { $inc: { balance: 1 } }, { session: first });
      const error = await accounts
        .updateOne({ _id: 'carol' } as never, { $inc: { balance: 1 } }, { session: second })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MongoServerError);
      expect((error as MongoServerError).code).toBe(112);
      expect((error as MongoServerError).hasErrorLabel('TransientTransactionError')).toBe(true);
      await first.commitTransaction();
      // The failed transaction is gone: committing it is NoSuchTransaction, also transient.
      const commitError = await second.commitTransaction().catch((e: unknown) => e);
      expect((commitError as MongoServerError).code).toBe(251);
      expect((commitError as MongoServerError).hasErrorLabel('TransientTransactionError')).toBe(true);
    } finally {
      await first.endSession();
      await second.endSession();
    }
    expect(await accounts.findOne({ _id: 'carol' } as never)).toMatchObject({ balance: 11 });
  });

  it('answers a retried write from its first execution instead of applying it twice', async () => {
    const counters = db.collection('counters');
    await counters.insertOne({ _id: 'retried', n: 0 } as never);
    const session = client.startSession();
    try {
      const command = {
        update: 'counters',
        updates: [{ q: { _id: 'retried' }, u: { $inc: { n: 1 } } }],
        txnNumber: Long.fromNumber(7),
      };
      const first = await db.command(command, { session });
      const retry = await db.command(command, { session });
      expect(first.nModified).toBe(1);
      expect(retry.nModified).toBe(1);
    } finally {
      await session.endSession();
    }
    expect(await counters.findOne({ _id: 'retried' } as never)).toMatchObject({ n: 1 });
  });

  it('keeps exact totals when many clients interleave $inc', async () => {
    const counters = db.collection('counters');
    await counters.insertOne({ _id: 'hits', n: 0 } as never);
    const clients = await Promise.all(Array.from({ length: 4 }, () => MongoClient.connect(testMongoUri())));
    try {
      await Promise.all(
        clients.flatMap((other) =>
          Array.from({ length: 50 }, () => other.db(dbName).collection('counters').updateOne({ _id: 'hits' } as never, { $inc: { n: 1 } })),
        ),
      );
    } finally {
      await Promise.all(clients.map((other) => other.close()));
    }
    expect(await counters.findOne({ _id: 'hits' } as never)).toMatchObject({ n: 200 });
  });

  it('retries one of two conflicting transactions and loses no update', async () => {
    const counters = db.collection('counters');
    await counters.insertOne({ _id: 'shared', n: 0, log: [] } as never);
    let attempts = 0;
    let release!: () => void;
    const bothRead = new Promise<void>((resolve) => (release = resolve));
    let readers = 0;
    const increment = async (label: string): Promise<void> => {
      const session = client.startSession();
      try {
        await session.withTransaction(async () => {
          attempts += 1;
          // Read-modify-write: both read the same value before either writes.
          const current = await counters.findOne({ _id: 'shared' } as never, { session });
          readers += 1;
          if (readers === 2) release();
          await Promise.race([bothRead, new Promise((resolve) => setTimeout(resolve, 500))]);
          await counters.updateOne(
            { _id: 'shared' } as never,
            { $set: { n: (current?.n as number) + 1 }, $push: { log: label } } as never,
            { session },
          );
        });
      } finally {
        await session.endSession();
      }
    };
    await Promise.all([increment('a'), increment('b')]);
    const doc = await counters.findOne({ _id: 'shared' } as never);
    expect(doc?.n).toBe(2);
    expect((doc?.log as string[]).sort()).toEqual(['a', 'b']);
    expect(attempts).toBeGreaterThan(2);
  });

  it('lets a plain write wait for a transaction holding the document', async () => {
    const counters = db.collection('counters');
    await counters.insertOne({ _id: 'waiting', n: 0 } as never);
    const session = client.startSession();
    try {
      session.startTransaction();
      await counters.updateOne({ _id: 'waiting' } as never, { $inc: { n: 10 } }, { session });
      const plain = counters.updateOne({ _id: 'waiting' } as never, { $inc: { n: 1 } });
      await new Promise((resolve) => setTimeout(resolve, 100));
      await session.commitTransaction();
      await plain;
    } finally {
      await session.endSession();
    }
    expect(await counters.findOne({ _id: 'waiting' } as never)).toMatchObject({ n: 11 });
  });
});
