import type { Document } from 'bson';
import { collectionName, type CommandHandler } from '../context.js';
import { ErrorCode, commandError } from '../errors.js';
import { defaultIndexName, type IndexDefinition } from '../indexes.js';
import { compileFilter } from '../query.js';
import { isPlainObject, keyOf } from '../values.js';

const UNSUPPORTED_INDEX_TYPES = new Set(['text', '2d', '2dsphere', 'geoHaystack', 'columnstore']);

const ID_INDEX_SPEC = { v: 2, key: { _id: 1 }, name: '_id_' };

/** Fields of a `create` command that belong to the request, not to the collection's options. */
const NOT_COLLECTION_OPTIONS = new Set([
  'create', '$db', 'lsid', 'txnNumber', 'autocommit', 'startTransaction', 'writeConcern', '$clusterTime', '$readPreference', 'comment',
]);

const create: CommandHandler = (command, ctx) => {
  const name = collectionName(command);
  if (command.viewOn !== undefined) {
    if (typeof command.viewOn !== 'string' || (command.pipeline !== undefined && !Array.isArray(command.pipeline))) {
      throw commandError(ErrorCode.TypeMismatch, "viewOn 须为集合名、pipeline 须为数组 / 'viewOn' must be a collection name and 'pipeline' an array");
    }
  }
  if (command.capped === true) throw commandError(ErrorCode.NotImplemented, '不支持固定集合 / Capped collections are not supported by the embedded server');
  const options = Object.fromEntries(Object.entries(command).filter(([field]) => !NOT_COLLECTION_OPTIONS.has(field)));
  ctx.ops.push(ctx.catalog.create(ctx.db, name, options));
  return { ok: 1 };
};

const drop: CommandHandler = (command, ctx) => {
  const name = collectionName(command);
  const collection = ctx.catalog.get(ctx.db, name);
  const nIndexesWas = collection?.indexes.size ?? 0;
  const op = ctx.catalog.drop(ctx.db, name);
  if (op) ctx.ops.push(op);
  return { nIndexesWas, ns: `${ctx.db}.${name}`, ok: 1 };
};

const dropDatabase: CommandHandler = (_command, ctx) => {
  const op = ctx.catalog.dropDatabase(ctx.db);
  if (op) ctx.ops.push(op);
  return { dropped: ctx.db, ok: 1 };
};

const listCollections: CommandHandler = (command, ctx) => {
  const matches = compileFilter(isPlainObject(command.filter) ? command.filter : undefined);
  const entries = ctx.catalog
    .collections(ctx.db)
    .map((collection) => {
      const type = collection.view ? 'view' : 'collection';
      if (command.nameOnly === true) return { name: collection.name, type };
      return collection.view
        ? { name: collection.name, type, options: collection.options, info: { readOnly: true } }
        : { name: collection.name, type, options: collection.options, info: { readOnly: false }, idIndex: ID_INDEX_SPEC };
    })
    .filter(matches);
  const batchSize = isPlainObject(command.cursor) ? (command.cursor.batchSize as number | undefined) : undefined;
  return { cursor: ctx.cursors.open(`${ctx.db}.$cmd.listCollections`, entries, batchSize), ok: 1 };
};

/** Validates one createIndexes spec into the catalog's index definition. */
function indexDefinition(spec: unknown): IndexDefinition {
  if (!isPlainObject(spec) || !isPlainObject(spec.key) || Object.keys(spec.key).length === 0) {
    throw commandError(ErrorCode.FailedToParse, '索引必须有 key / index specification must have a non-empty key document');
  }
  const key = spec.key as Record<string, unknown>;
  for (const [field, kind] of Object.entries(key)) {
    if (typeof kind === 'string' && UNSUPPORTED_INDEX_TYPES.has(kind)) {
      throw commandError(ErrorCode.NotImplemented, `不支持 ${kind} 索引 / '${kind}' indexes (on '${field}') are not supported by the embedded server`);
    }
    if (typeof kind !== 'number' && typeof kind !== 'string') {
      throw commandError(ErrorCode.FailedToParse, `无效的索引方向 / bad index key pattern for '${field}'`);
    }
  }
  const definition: IndexDefinition = {
    name: typeof spec.name === 'string' ? spec.name : defaultIndexName(key),
    key: key as IndexDefinition['key'],
  };
  if (spec.unique === true) definition.unique = true;
  if (spec.sparse === true) definition.sparse = true;
  if (isPlainObject(spec.partialFilterExpression)) definition.partialFilterExpression = spec.partialFilterExpression;
  if (typeof spec.expireAfterSeconds === 'number') definition.expireAfterSeconds = spec.expireAfterSeconds;
  return definition;
}

function sameOptions(a: IndexDefinition, b: IndexDefinition): boolean {
  const { name: _a, ...restA } = a;
  const { name: _b, ...restB } = b;
  return keyOf(normalize(restA)) === keyOf(normalize(restB));
}

function normalize(definition: Omit<IndexDefinition, 'name'>): Document {
  const { key, ...options } = definition;
  return { key, ...Object.fromEntries(Object.entries(options).sort(([x], [y]) => x.localeCompare(y))) };
}

const createIndexes: CommandHandler = (command, ctx) => {
  const name = collectionName(command);
  if (!Array.isArray(command.indexes)) throw commandError(ErrorCode.FailedToParse, "'indexes' 必须是数组 / 'indexes' must be an array");
  const definitions = (command.indexes as unknown[]).map(indexDefinition);
  const existing = ctx.catalog.get(ctx.db, name);
  if (existing?.view) throw commandError(ErrorCode.CommandNotSupportedOnView, `视图不能建索引 / Namespace ${ctx.db}.${name} is a view, not a collection`);
  const existed = existing !== undefined;
  const collection = ctx.catalog.ensure(ctx.db, name, ctx.ops);
  const numIndexesBefore = collection.indexes.size;
  for (const definition of definitions) {
    const sameName = collection.indexes.get(definition.name);
    const sameKey = [...collection.indexes.values()].find((index) => keyOf(index.definition.key) === keyOf(definition.key));
    if (sameName) {
      if (sameOptions(sameName.definition, definition)) continue;
      throw commandError(ErrorCode.IndexKeySpecsConflict, `索引 ${definition.name} 已存在且定义不同 / An existing index has the same name as the requested index but different options: ${definition.name}`);
    }
    if (sameKey) {
      throw commandError(ErrorCode.IndexOptionsConflict, `相同键的索引已存在 / Index already exists with a different name: ${sameKey.name}`);
    }
    collection.createIndex(definition);
    ctx.ops.push({ op: 'createIndex', db: ctx.db, coll: name, index: definition });
  }
  return { createdCollectionAutomatically: !existed, numIndexesBefore, numIndexesAfter: collection.indexes.size, ok: 1 };
};

const listIndexes: CommandHandler = (command, ctx) => {
  const name = collectionName(command);
  const collection = ctx.catalog.get(ctx.db, name);
  if (!collection) throw commandError(ErrorCode.NamespaceNotFound, `ns does not exist: ${ctx.db}.${name}`);
  const specs = [...collection.indexes.values()].map((index) => ({ v: 2, ...index.definition }));
  const batchSize = isPlainObject(command.cursor) ? (command.cursor.batchSize as number | undefined) : undefined;
  return { cursor: ctx.cursors.open(`${ctx.db}.${name}`, specs, batchSize), ok: 1 };
};

const dropIndexes: CommandHandler = (command, ctx) => {
  const name = collectionName(command);
  const collection = ctx.catalog.get(ctx.db, name);
  if (!collection) throw commandError(ErrorCode.NamespaceNotFound, `ns not found ${ctx.db}.${name}`);
  const nIndexesWas = collection.indexes.size;
  const target: unknown = command.index;
  let names: string[];
  if (target === '*') names = [...collection.indexes.keys()].filter((indexName) => indexName !== '_id_');
  else if (typeof target === 'string') names = [target];
  else if (Array.isArray(target)) names = target.map(String);
  else if (isPlainObject(target)) {
    const match = [...collection.indexes.values()].find((index) => keyOf(index.definition.key) === keyOf(target));
    if (!match) throw commandError(ErrorCode.IndexNotFound, `找不到索引 / can't find index with key: ${JSON.stringify(target)}`);
    names = [match.name];
  } else throw commandError(ErrorCode.FailedToParse, "'index' 必须是名称或键 / 'index' must be a name, '*' or a key pattern");
  for (const indexName of names) {
    if (indexName === '_id_') throw commandError(ErrorCode.InvalidOptions, '不能删除 _id 索引 / cannot drop _id index');
    if (!collection.indexes.has(indexName)) throw commandError(ErrorCode.IndexNotFound, `index not found with name [${indexName}]`);
  }
  for (const indexName of names) {
    collection.dropIndex(indexName);
    ctx.ops.push({ op: 'dropIndex', db: ctx.db, coll: name, name: indexName });
  }
  return { nIndexesWas, ok: 1 };
};

export const catalogCommands: Record<string, CommandHandler> = {
  create,
  drop,
  dropDatabase,
  listCollections,
  createIndexes,
  listIndexes,
  dropIndexes,
};
