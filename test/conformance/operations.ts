import {
  ClientSession,
  Collection,
  Db,
  MongoClient,
  type AnyBulkWriteOperation,
  type Document,
  type Filter,
  type UpdateFilter,
} from 'mongodb';
import { EntityMap, RunnerError } from './entities.js';
import type { Operation } from './spec-format.js';

type Args = Record<string, unknown>;

/** Fail points set during a test, switched off again by the runner afterwards. */
export interface FailPointRecord {
  client: MongoClient;
  name: string;
}

export interface OperationContext {
  entities: EntityMap;
  failPoints: FailPointRecord[];
}

/** Runs one operation of a test against its target entity and returns the driver's result. */
export async function executeOperation(operation: Operation, context: OperationContext): Promise<unknown> {
  const args = driverArguments(operation.arguments ?? {}, context.entities);
  if (operation.object === 'testRunner') return runTestRunnerOperation(operation.name, args, context);
  const target = context.entities.entity(operation.object);
  const handler = handlerFor(target, operation.name);
  if (!handler) {
    throw new RunnerError(`operation ${operation.name} on ${operation.object} is not supported by this runner`);
  }
  return handler(args);
}

function handlerFor(target: unknown, name: string): ((args: Args) => Promise<unknown>) | undefined {
  if (target instanceof Collection) {
    const op = collectionOperations[name];
    return op && ((args) => op(target, args));
  }
  if (target instanceof Db) {
    const op = databaseOperations[name];
    return op && ((args) => op(target, args));
  }
  return undefined;
}

/** Arguments as the Node driver names them: entity references resolved, enums in its casing. */
function driverArguments(args: Args, entities: EntityMap): Args {
  const result: Args = { ...args };
  if (typeof args.session === 'string') result.session = entities.get(args.session, ClientSession);
  if (typeof args.returnDocument === 'string') result.returnDocument = args.returnDocument.toLowerCase();
  return result;
}

const filterOf = (args: Args): Filter<Document> => (args.filter ?? {}) as Filter<Document>;

function without(args: Args, ...keys: string[]): Document {
  const rest: Document = { ...args };
  for (const key of keys) delete rest[key];
  return rest;
}

type CollectionOperation = (collection: Collection, args: Args) => Promise<unknown>;

const collectionOperations: Record<string, CollectionOperation> = {
  aggregate: (c, a) => c.aggregate(a.pipeline as Document[], without(a, 'pipeline')).toArray(),
  bulkWrite: (c, a) => c.bulkWrite(a.requests as AnyBulkWriteOperation[], without(a, 'requests')),
  count: (c, a) => c.count(filterOf(a), without(a, 'filter')),
  countDocuments: (c, a) => c.countDocuments(filterOf(a), without(a, 'filter')),
  deleteMany: (c, a) => c.deleteMany(filterOf(a), without(a, 'filter')),
  deleteOne: (c, a) => c.deleteOne(filterOf(a), without(a, 'filter')),
  distinct: (c, a) => c.distinct(String(a.fieldName), filterOf(a), without(a, 'fieldName', 'filter')),
  estimatedDocumentCount: (c, a) => c.estimatedDocumentCount(a),
  find: (c, a) => c.find(filterOf(a), without(a, 'filter')).toArray(),
  findOne: (c, a) => c.findOne(filterOf(a), without(a, 'filter')),
  findOneAndDelete: (c, a) => c.findOneAndDelete(filterOf(a), without(a, 'filter')),
  findOneAndReplace: (c, a) =>
    c.findOneAndReplace(filterOf(a), a.replacement as Document, without(a, 'filter', 'replacement')),
  findOneAndUpdate: (c, a) =>
    c.findOneAndUpdate(filterOf(a), a.update as UpdateFilter<Document>, without(a, 'filter', 'update')),
  insertMany: (c, a) => c.insertMany(a.documents as Document[], without(a, 'documents')),
  insertOne: (c, a) => c.insertOne(a.document as Document, without(a, 'document')),
  replaceOne: (c, a) => c.replaceOne(filterOf(a), a.replacement as Document, without(a, 'filter', 'replacement')),
  updateMany: (c, a) =>
    c.updateMany(filterOf(a), a.update as UpdateFilter<Document>, without(a, 'filter', 'update')),
  updateOne: (c, a) => c.updateOne(filterOf(a), a.update as UpdateFilter<Document>, without(a, 'filter', 'update')),
};

type DatabaseOperation = (db: Db, args: Args) => Promise<unknown>;

const databaseOperations: Record<string, DatabaseOperation> = {
  aggregate: (db, a) => db.aggregate(a.pipeline as Document[], without(a, 'pipeline')).toArray(),
  createCollection: async (db, a) => {
    await db.createCollection(String(a.collection), without(a, 'collection'));
  },
  dropCollection: async (db, a) => {
    await db.dropCollection(String(a.collection), without(a, 'collection'));
  },
};

async function runTestRunnerOperation(name: string, args: Args, context: OperationContext): Promise<unknown> {
  if (name !== 'failPoint') throw new RunnerError(`testRunner operation ${name} is not supported by this runner`);
  const client = context.entities.get(String(args.client), MongoClient);
  const failPoint = args.failPoint as Document;
  await client.db('admin').command(failPoint);
  context.failPoints.push({ client, name: String(failPoint.configureFailPoint) });
  return undefined;
}
