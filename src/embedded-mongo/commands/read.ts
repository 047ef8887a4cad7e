import type { Document } from 'bson';
import { accessFor, collectionName, type CommandContext, type CommandHandler } from '../context.js';
import { ErrorCode, commandError } from '../errors.js';
import { applyFilterOptions, collatedDistinct, commandVariables, sortCollation } from '../filter-options.js';
import { runAggregation } from '../aggregation/index.js';
import { countGroups } from '../group-count.js';
import { runPipeline, shapeResults } from '../query.js';
import { isPlainObject, keyOf, pathValues, type Doc } from '../values.js';
import { parseMergeStage, writeMerge, type MergeSpec } from './merge-stage.js';
import { prepareInsert } from './write.js';

function optionalNumber(command: Document, field: string): number | undefined {
  const value: unknown = command[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw commandError(ErrorCode.TypeMismatch, `'${field}' 必须是数字 / '${field}' must be a number`);
  }
  return value;
}

function optionalDocument(command: Document, field: string): Document | undefined {
  const value: unknown = command[field];
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw commandError(ErrorCode.TypeMismatch, `'${field}' 必须是文档 / '${field}' must be a document`);
  return value;
}

function hasKeys(value: Document | undefined): boolean {
  return value !== undefined && Object.keys(value).length > 0;
}

const find: CommandHandler = (command, ctx) => {
  const name = collectionName(command);
  const filter = applyFilterOptions(optionalDocument(command, 'filter'), command);
  const sort = optionalDocument(command, 'sort');
  const projection = optionalDocument(command, 'projection');
  const skip = optionalNumber(command, 'skip') ?? 0;
  const rawLimit = optionalNumber(command, 'limit') ?? 0;
  if (skip < 0) throw commandError(ErrorCode.BadValue, `skip 不能为负 / skip must be >= 0`);
  const limit = Math.abs(rawLimit);
  // Without a sort the first skip+limit matches are the answer: stop scanning there.
  const matchLimit = !hasKeys(sort) && limit > 0 ? skip + limit : undefined;
  const access = accessFor(ctx, name);
  const collation = sortCollation(command.collation);
  // A sorted page (sort + limit) walks an index on the sort field instead of sorting every match.
  const ordered = sort && hasKeys(sort) && limit > 0 && !collation ? access.matchSorted(filter, sort, skip + limit) : undefined;
  const docs = ordered
    ? shapeResults(ordered, { sort, skip, limit, projection }, filter)
    : shapeResults(access.match(filter, matchLimit), { sort, skip, limit, projection, collation }, filter);
  const singleBatch = command.singleBatch === true || rawLimit < 0;
  return { cursor: ctx.cursors.open(`${ctx.db}.${name}`, docs, optionalNumber(command, 'batchSize'), singleBatch), ok: 1 };
};

const getMore: CommandHandler = async (command, ctx) => {
  const id = Number(command.getMore);
  const name = command.collection;
  if (typeof name !== 'string') throw commandError(ErrorCode.TypeMismatch, "'collection' 必须是字符串 / 'collection' must be a string");
  if (ctx.catalog.changes.has(id)) {
    return { cursor: await ctx.catalog.changes.getMore(id, optionalNumber(command, 'batchSize'), optionalNumber(command, 'maxTimeMS')), ok: 1 };
  }
  return { cursor: ctx.cursors.getMore(id, `${ctx.db}.${name}`, optionalNumber(command, 'batchSize')), ok: 1 };
};

const killCursors: CommandHandler = (command, ctx) => {
  const ids = Array.isArray(command.cursors) ? (command.cursors as unknown[]).map(Number) : [];
  const streams = ctx.catalog.changes.kill(ids);
  const { killed, notFound } = ctx.cursors.kill(ids.filter((id) => !streams.includes(id)));
  return { cursorsKilled: [...streams, ...killed], cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
};

/** Writes `$out` results: the target collection's documents are replaced. */
function writeOut(ctx: CommandContext, target: string, docs: Doc[]): void {
  const access = accessFor(ctx, target);
  for (const doc of access.match(undefined)) access.remove(doc);
  for (const doc of docs) access.insert(prepareInsert(doc));
}

const aggregate: CommandHandler = (command, ctx) => {
  const source: unknown = command.aggregate;
  const pipeline = command.pipeline as unknown;
  if (!Array.isArray(pipeline) || !pipeline.every(isPlainObject)) {
    throw commandError(ErrorCode.TypeMismatch, "'pipeline' 必须是文档数组 / 'pipeline' must be an array of documents");
  }
  if (command.explain === true) throw commandError(ErrorCode.NotImplemented, '不支持 explain / explain is not supported by the embedded server');
  const cursorOptions = optionalDocument(command, 'cursor');
  if (!cursorOptions) throw commandError(ErrorCode.FailedToParse, "缺少 cursor 选项 / The 'cursor' option is required");
  const first = (pipeline as Document[])[0];
  if (first && '$changeStream' in first) {
    const options = isPlainObject(first.$changeStream) ? first.$changeStream : {};
    const cursor = ctx.catalog.changes.open(ctx.cursors.allocateId(), ctx.db, source, options, (pipeline as Document[]).slice(1), (db, coll, id) =>
      ctx.catalog.get(db, coll)?.docs.get(keyOf(id)),
    );
    return { cursor, ok: 1 };
  }
  // $match stages see the command's collation and `let` variables (mingo knows neither in filters).
  let stages = (pipeline as Document[]).map((stage) =>
    isPlainObject(stage.$match) ? { $match: applyFilterOptions(stage.$match, command) } : stage,
  );
  const last = stages[stages.length - 1];
  let outTarget: string | undefined;
  if (last && '$out' in last) {
    const out: unknown = last.$out;
    outTarget = typeof out === 'string' ? out : isPlainObject(out) && typeof out.coll === 'string' ? out.coll : undefined;
    if (!outTarget) throw commandError(ErrorCode.FailedToParse, '$out 需要集合名 / $out requires a collection name');
    stages = stages.slice(0, -1);
  }
  let merge: MergeSpec | undefined;
  if (!outTarget && last && '$merge' in last) {
    merge = parseMergeStage(last.$merge, ctx.db);
    stages = stages.slice(0, -1);
  }
  if (stages.some((stage) => '$merge' in stage || '$out' in stage)) {
    throw commandError(ErrorCode.FailedToParse, '$out/$merge 只能是最后一个阶段 / $out and $merge can only be the final stage');
  }
  const readConcern: unknown = command.readConcern;
  if ((outTarget || merge) && isPlainObject(readConcern) && readConcern.level === 'linearizable') {
    throw commandError(ErrorCode.InvalidOptions, "$out/$merge 不能使用 linearizable 读关注 / $out and $merge cannot be used with a 'linearizable' read concern");
  }

  let input: Doc[] = [];
  if (typeof source === 'string') {
    const access = accessFor(ctx, source);
    const first = stages[0];
    // A leading $match is answered through the indexes.
    const leadingMatch = first && '$match' in first && isPlainObject(first.$match) ? first.$match : undefined;
    if (leadingMatch) stages = stages.slice(1);
    // A count by field values ($group with $sum of constants) reads index sets and row columns (group-count.ts).
    const counted = ctx.transaction || command.collation !== undefined ? undefined : countGroups(ctx.catalog.get(ctx.db, source), leadingMatch, stages);
    // So is a leading top-N page ($sort then $limit): it walks an index on the sort field.
    const sort: unknown = stages[0]?.$sort;
    const limit: unknown = stages[1]?.$limit;
    const page =
      isPlainObject(sort) && typeof limit === 'number' && limit > 0 && command.collation === undefined
        ? access.matchSorted(leadingMatch, sort, limit)
        : undefined;
    input = counted ? counted.docs : page && isPlainObject(sort) ? shapeResults(page, { sort, limit: Number(limit) }) : access.match(leadingMatch);
    if (counted) stages = counted.stages;
    if (page) stages = stages.slice(2);
  } else if (source !== 1) {
    throw commandError(ErrorCode.TypeMismatch, "'aggregate' 必须是集合名或 1 / 'aggregate' must be a collection name or 1");
  } else if (stages[0] && '$listLocalSessions' in stages[0]) {
    input = ctx.sessions.list(command.lsid);
    stages = stages.slice(1);
  }
  const variables = commandVariables(command.let);
  const resolve = (name: string): Doc[] => accessFor(ctx, name).match(undefined);
  const results = runAggregation(input, stages, {
    probe: (from, field, value) => accessFor(ctx, from).match({ [field]: value }),
    indexed: (from, field) => [...(ctx.catalog.get(ctx.db, from)?.indexes.values() ?? [])].some((index) => index.fields[0] === field),
    scan: resolve,
    size: (from) => ctx.catalog.get(ctx.db, from)?.docs.size ?? 0,
    mingo: (docs, rest) => runPipeline(docs, rest, resolve, variables),
    variables: variables ?? {},
  });
  const namespace = `${ctx.db}.${typeof source === 'string' ? source : '$cmd.aggregate'}`;
  if (outTarget || merge) {
    if (merge) writeMerge(ctx, merge, results);
    else if (outTarget) writeOut(ctx, outTarget, results);
    return { cursor: ctx.cursors.open(namespace, [], 0, true), ok: 1 };
  }
  return { cursor: ctx.cursors.open(namespace, results, optionalNumber(cursorOptions, 'batchSize')), ok: 1 };
};

const count: CommandHandler = (command, ctx) => {
  const query = applyFilterOptions(optionalDocument(command, 'query'), command);
  const skip = optionalNumber(command, 'skip') ?? 0;
  const limit = Math.abs(optionalNumber(command, 'limit') ?? 0);
  const matched = accessFor(ctx, collectionName(command)).match(query, limit > 0 ? skip + limit : undefined).length;
  return { n: Math.max(0, matched - skip), ok: 1 };
};

const distinct: CommandHandler = (command, ctx) => {
  const key = command.key;
  if (typeof key !== 'string') throw commandError(ErrorCode.TypeMismatch, "'key' 必须是字符串 / 'key' must be a string");
  const values = new Map<string, unknown>();
  for (const doc of accessFor(ctx, collectionName(command)).match(applyFilterOptions(optionalDocument(command, 'query'), command))) {
    for (const value of pathValues(doc, key).values) {
      if (value !== undefined) values.set(keyOf(value), value);
    }
  }
  return { values: collatedDistinct([...values.values()], command.collation), ok: 1 };
};

export const readCommands: Record<string, CommandHandler> = { find, getMore, killCursors, aggregate, count, distinct };
