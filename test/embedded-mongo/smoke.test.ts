import mongoose from 'mongoose';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testMongoUri, uniqueDbName, uriForDb } from '../support/mongo.js';

const dbName = uniqueDbName('smoke');

describe('store smoke test over TCP', () => {
  let connection: mongoose.Connection;

  beforeAll(async () => {
    connection = await mongoose.createConnection(uriForDb(dbName)).asPromise();
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('answers the handshake as a replica set primary', async () => {
    const client = new MongoClient(testMongoUri());
    try {
      const hello = await client.db('admin').command({ hello: 1 });
      expect(hello.isWritablePrimary).toBe(true);
      expect(typeof hello.setName).toBe('string');
      expect(hello.logicalSessionTimeoutMinutes).toBeGreaterThan(0);
      const ping = await client.db('admin').command({ ping: 1 });
      expect(ping.ok).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('writes and reads documents through mongoose', async () => {
    const Item = connection.model('Item', new mongoose.Schema({ name: String, qty: Number }));
    await Item.create([{ name: '党员活动室', qty: 3 }, { name: '图书角', qty: 5 }]);
    const found = await Item.findOne({ name: '图书角' }).lean();
    expect(found?.qty).toBe(5);
    await Item.updateOne({ name: '党员活动室' }, { $inc: { qty: 2 } });
    const updated = await Item.findOne({ name: '党员活动室' }).lean();
    expect(updated?.qty).toBe(5);
    expect(await Item.countDocuments({ qty: { $gte: 5 } })).toBe(2);
    await Item.deleteOne({ name: '图书角' });
    expect(await Item.countDocuments()).toBe(1);
  });

  it('refuses credentials it cannot verify with an authentication error', async () => {
    const url = new URL(uriForDb(dbName));
    url.username = 'nobody';
    url.password = 'wrong-password';
    const client = new MongoClient(url.toString(), { serverSelectionTimeoutMS: 5000 });
    try {
      await expect(client.connect()).rejects.toMatchObject({ code: 18 });
    } finally {
      await client.close();
    }
  });

  it('rejects an unknown command with CommandNotFound', async () => {
    const client = new MongoClient(testMongoUri());
    try {
      await expect(client.db(dbName).command({ noSuchCommandAtAll: 1 })).rejects.toMatchObject({ code: 59 });
    } finally {
      await client.close();
    }
  });
});
