import mongoose, { Schema, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueDbName, uriForDb } from '../support/mongo.js';

const dbName = uniqueDbName('mongoose');

interface Department {
  code: string;
  name: string;
}
interface Service {
  title: string;
  department: mongoose.Types.ObjectId;
  orgUnit: string;
  itemCode: string;
  fee: number;
  tags: string[];
}

describe('mongoose against the store', () => {
  let connection: Connection;
  let Department: mongoose.Model<Department>;
  let Service: mongoose.Model<Service>;

  beforeAll(async () => {
    connection = await mongoose.createConnection(uriForDb(dbName)).asPromise();
    Department = connection.model(
      'Department',
      new Schema<Department>({ code: { type: String, required: true, unique: true }, name: String }),
    );
    const serviceSchema = new Schema<Service>({
      title: String,
      department: { type: Schema.Types.ObjectId, ref: 'Department' },
      orgUnit: String,
      itemCode: String,
      fee: Number,
      tags: [String],
    });
    serviceSchema.index({ orgUnit: 1, itemCode: 1 }, { unique: true });
    Service = connection.model('Service', serviceSchema);
    await Department.init();
    await Service.init();
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('creates the declared indexes', async () => {
    const indexes = await Service.collection.listIndexes().toArray();
    const compound = indexes.find((index) => index.key.orgUnit === 1 && index.key.itemCode === 1);
    expect(compound?.unique).toBe(true);
    const departmentIndexes = await Department.collection.listIndexes().toArray();
    expect(departmentIndexes.some((index) => index.key.code === 1 && index.unique === true)).toBe(true);
  });

  it('inserts, populates, counts and reads distinct values', async () => {
    const [health, culture] = await Department.insertMany([
      { code: 'health', name: '卫健' },
      { code: 'culture', name: '文旅' },
    ]);
    await Service.insertMany([
      { title: '预防接种', department: health?._id, orgUnit: 'v1', itemCode: 'H-01', fee: 0, tags: ['免费', '儿童'] },
      { title: '健康体检', department: health?._id, orgUnit: 'v1', itemCode: 'H-02', fee: 50, tags: ['老人'] },
      { title: '图书借阅', department: culture?._id, orgUnit: 'v2', itemCode: 'C-01', fee: 0, tags: ['免费'] },
    ]);
    const populated = await Service.findOne({ itemCode: 'C-01' }).populate<{ department: Department }>('department').lean();
    expect(populated?.department.code).toBe('culture');
    expect(await Service.countDocuments({ fee: 0 })).toBe(2);
    expect((await Service.distinct('tags')).sort()).toEqual(['儿童', '免费', '老人'].sort());
    expect((await Service.distinct('orgUnit', { fee: { $gt: 10 } }))).toEqual(['v1']);
  });

  it('surfaces duplicate keys as E11000 errors', async () => {
    const error = await Department.create({ code: 'health', name: 'again' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 11000, keyValue: { code: 'health' }, keyPattern: { code: 1 } });
    expect((error as Error).message).toMatch(/^E11000 duplicate key error collection: \S+\.departments index: code_1 dup key: \{ code: "health" \}/);
    const compound = await Service.create({ title: 'x', orgUnit: 'v1', itemCode: 'H-01' }).catch((e: unknown) => e);
    expect(compound).toMatchObject({ code: 11000, keyValue: { orgUnit: 'v1', itemCode: 'H-01' } });
  });

  it('runs bulkWrite and findOneAndUpdate with upsert', async () => {
    const result = await Service.bulkWrite([
      { updateOne: { filter: { itemCode: 'H-02' }, update: { $inc: { fee: 10 } } } },
      { insertOne: { document: { title: '法律援助', orgUnit: 'v2', itemCode: 'J-01', fee: 0, tags: [] } } },
      { deleteOne: { filter: { itemCode: 'nonexistent' } } },
      { updateOne: { filter: { itemCode: 'J-02' }, update: { $set: { title: '人民调解', orgUnit: 'v3' } }, upsert: true } },
    ]);
    expect(result.modifiedCount).toBe(1);
    expect(result.insertedCount).toBe(1);
    expect(result.upsertedCount).toBe(1);
    expect((await Service.findOne({ itemCode: 'H-02' }).lean())?.fee).toBe(60);

    const upserted = await Service.findOneAndUpdate(
      { orgUnit: 'v4', itemCode: 'E-01' },
      { $set: { title: '学位申请' }, $setOnInsert: { fee: 0 } },
      { upsert: true, new: true },
    ).lean();
    expect(upserted).toMatchObject({ orgUnit: 'v4', itemCode: 'E-01', title: '学位申请', fee: 0 });
    const again = await Service.findOneAndUpdate(
      { orgUnit: 'v4', itemCode: 'E-01' },
      { $set: { title: '学位申请（更新）' }, $setOnInsert: { fee: 99 } },
      { upsert: true, new: true },
    ).lean();
    expect(again?.fee).toBe(0);
    expect(again?._id.toString()).toBe(upserted?._id.toString());
  });

  it('aggregates with $lookup, $facet and $group', async () => {
    const [result] = await Service.aggregate<{
      byDepartment: Array<{ _id: string; count: number; totalFee: number }>;
      free: Array<{ count: number }>;
    }>([
      { $match: { department: { $exists: true } } },
      { $lookup: { from: 'departments', localField: 'department', foreignField: '_id', as: 'dept' } },
      { $unwind: '$dept' },
      {
        $facet: {
          byDepartment: [{ $group: { _id: '$dept.code', count: { $sum: 1 }, totalFee: { $sum: '$fee' } } }, { $sort: { _id: 1 } }],
          free: [{ $match: { fee: 0 } }, { $count: 'count' }],
        },
      },
    ]);
    expect(result?.byDepartment).toEqual([
      { _id: 'culture', count: 1, totalFee: 0 },
      { _id: 'health', count: 2, totalFee: 60 },
    ]);
    expect(result?.free).toEqual([{ count: 2 }]);
  });

  it('commits a transaction with withTransaction', async () => {
    const session = await connection.startSession();
    try {
      await session.withTransaction(async () => {
        await Department.create([{ code: 'justice', name: '司法' }], { session });
        await Service.updateOne({ itemCode: 'J-01' }, { $set: { fee: 1 } }, { session });
        // Not visible outside the transaction before commit.
        expect(await Department.countDocuments({ code: 'justice' })).toBe(0);
        expect(await Department.countDocuments({ code: 'justice' }).session(session)).toBe(1);
      });
    } finally {
      await session.endSession();
    }
    expect(await Department.countDocuments({ code: 'justice' })).toBe(1);
    expect((await Service.findOne({ itemCode: 'J-01' }).lean())?.fee).toBe(1);
  });

  it('discards the writes of a transaction that aborts', async () => {
    const session = await connection.startSession();
    const failure = new Error('中止 / abort on purpose');
    try {
      await expect(
        session.withTransaction(async () => {
          await Department.create([{ code: 'hrss', name: '人社' }], { session });
          await Service.deleteMany({}, { session });
          throw failure;
        }),
      ).rejects.toBe(failure);
    } finally {
      await session.endSession();
    }
    expect(await Department.countDocuments({ code: 'hrss' })).toBe(0);
    expect(await Service.countDocuments()).toBeGreaterThan(0);
  });
});
