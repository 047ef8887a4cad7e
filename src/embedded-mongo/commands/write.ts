import { BSON, ObjectId, type Document } from 'bson';
import type { CollectionAccess } from '../access.js';
import { accessFor, collectionName, type CommandContext, type CommandHandler } from '../context.js';
import { ErrorCode, MongoCommandError, commandError } from '../errors.js';
import { applyFilterOptions, commandVariables, sortCollation } from '../filter-options.js';
import { shapeResults } from '../query.js';
import { applyUpdate, buildUpsertDocument, type UpdateContext, type UpdateSpec } from '../update.js';
import { isPlainObject, withIdFirst, type Doc } from '../values.js';
import { MAX_BSON_SIZE, sentBytes } from '../wire.js';

/**
 * Runs `work` once no transaction holds a lock on the documents it would write; a plain write
 * that meets a transaction's uncommitted change waits for it, as MongoDB does. `work` must
 * check and write synchronously so nothing changes in between.
 */
async function whenUnlocked<T>(access: CollectionAccess, select: () => Doc[], work: (docs: Doc[]) => T): Promise<T> {
  for (;;) {
    const docs = select();
    const blocker = access.blockedBy(docs);
    if (!blocker) return work(docs);
    await blocker;
  }
}

/** Runs each statement, collecting write errors; an ordered batch stops at the first. */
async function runStatements<T>(
  statements: T[],
  ordered: boolean,
  run: (statement: T, index: number) => Promise<void>,
): Promise<Document[]> {
  const writeErrors: Document[] = [];
  for (let i = 0; i < statements.length; i++) {
    try {
      await run(statements[i] as T, i);
    } catch (error) {
      // Transaction errors (labelled) abort the whole command, as MongoDB reports them.
      if (!(error instanceof MongoCommandError) || error.errorLabels.length > 0) throw error;
      writeErrors.push(error.toWriteError(i));
      if (ordered) break;
    }
  }
  return writeErrors;
}

function withWriteErrors(reply: Document, writeErrors: Document[]): Document {
  if (writeErrors.length > 0) reply.writeErrors = writeErrors;
  return reply;
}

function arrayField(command: Document, field: string): Document[] {
  const value: unknown = command[field];
  if (!Array.isArray(value)) throw commandError(ErrorCode.FailedToParse, `'${field}' 必须是数组 / '${field}' must be an array`);
  return value as Document[];
}

/** A document sent in a request under 16 MB is under 16 MB itself: only large requests are measured. */
function assertInsertSize(doc: Doc, ctx: CommandContext): void {
  if (ctx.requestBytes > MAX_BSON_SIZE) assertSize(doc);
}

/** Updates can grow a document past the limit from a small request, so their results are always measured. */
function assertSize(doc: Doc): void {
  const size = BSON.calculateObjectSize(doc);
  if (size > MAX_BSON_SIZE) {
    throw commandError(ErrorCode.BSONObjectTooLarge, `文档超过 16MB / document too large: ${size} bytes (limit ${MAX_BSON_SIZE})`);
  }
}

export function prepareInsert(doc: Document): Doc {
  if (!isPlainObject(doc)) throw commandError(ErrorCode.TypeMismatch, '插入的必须是文档 / inserted values must be documents');
  const dollarKey = isPlainObject(doc._id) ? Object.keys(doc._id).find((key) => key.startsWith('$')) : undefined;
  if (dollarKey !== undefined) {
    throw commandError(
      ErrorCode.DollarPrefixedFieldName,
      `_id 不能包含以 $ 开头的字段 / _id fields may not contain '$'-prefixed fields: ${dollarKey} is not valid for storage.`,
    );
  }
  return withIdFirst(doc, doc._id === undefined ? new ObjectId() : doc._id);
}

function updateContext(ctx: CommandContext, command: Document, statement: Document): UpdateContext {
  return {
    arrayFilters: statement.arrayFilters as Document[] | undefined,
    // The filter as matched (variables bound, collation applied): mingo re-tests it for `$`.
    query: applyFilterOptions(statement.q as Document | undefined, { let: command.let, collation: statement.collation ?? command.collation }),
    resolve: (name) => accessFor(ctx, name).match(undefined),
    variables: commandVariables(command.let),
  };
}

const insert: CommandHandler = async (command, ctx) => {
  const access = accessFor(ctx, collectionName(command));
  const documents = arrayField(command, 'documents');
  const sent = sentBytes(documents);
  let n = 0;
  const writeErrors = await runStatements(documents, command.ordered !== false, async (raw, index) => {
    const doc = prepareInsert(raw);
    assertInsertSize(doc, ctx);
    // The client's bytes still encode the document unless prepareInsert rebuilt it (added or moved `_id`).
    const encoded = doc === raw ? sent?.[index] : undefined;
    await whenUnlocked(access, () => [doc], () => access.insert(doc, encoded));
    n += 1;
  });
  return withWriteErrors({ n, ok: 1 }, writeErrors);
};

const update: CommandHandler = async (command, ctx) => {
  const access = accessFor(ctx, collectionName(command));
  let n = 0;
  let nModified = 0;
  const upserted: Document[] = [];
  const updates = arrayField(command, 'updates');
  // The advertised 7.0 has no sort in update statements (it arrived in 8.0).
  if (updates.some((statement) => isPlainObject(statement) && 'sort' in statement)) {
    throw commandError(ErrorCode.Location40415, "BSON field 'update.updates.sort' is an unknown field.");
  }
  const writeErrors = await runStatements(updates, command.ordered !== false, async (statement, index) => {
    const filter = (statement.q ?? {}) as Document;
    const matchFilter = applyFilterOptions(filter, { let: command.let, collation: statement.collation });
    const spec = statement.u as UpdateSpec;
    const context = updateContext(ctx, command, statement);
    await whenUnlocked(
      access,
      () => access.match(matchFilter, statement.multi === true ? undefined : 1),
      (docs) => {
        if (docs.length === 0 && statement.upsert === true) {
          const doc = buildUpsertDocument(filter, spec, context);
          assertSize(doc);
          access.insert(doc);
          upserted.push({ index, _id: doc._id });
          n += 1;
          return;
        }
        for (const doc of docs) {
          const next = applyUpdate(doc, spec, context);
          n += 1;
          if (next === doc) continue;
          assertSize(next);
          access.replace(doc, next);
          nModified += 1;
        }
      },
    );
  });
  const reply: Document = { n, nModified, ok: 1 };
  if (upserted.length > 0) reply.upserted = upserted;
  return withWriteErrors(reply, writeErrors);
};

const remove: CommandHandler = async (command, ctx) => {
  const access = accessFor(ctx, collectionName(command));
  let n = 0;
  const writeErrors = await runStatements(arrayField(command, 'deletes'), command.ordered !== false, async (statement) => {
    const limit = Number(statement.limit ?? 0);
    await whenUnlocked(
      access,
      () => access.match(applyFilterOptions(statement.q as Document, { let: command.let, collation: statement.collation }), limit === 1 ? 1 : undefined),
      (docs) => {
        for (const doc of docs) access.remove(doc);
        n += docs.length;
      },
    );
  });
  return withWriteErrors({ n, ok: 1 }, writeErrors);
};

const findAndModify: CommandHandler = async (command, ctx) => {
  const access = accessFor(ctx, collectionName(command));
  const filter = (command.query ?? {}) as Document;
  const spec = command.update as UpdateSpec | undefined;
  if (command.remove === true && spec !== undefined) {
    throw commandError(ErrorCode.FailedToParse, '不能同时指定 update 与 remove / Cannot specify both an update and remove=true');
  }
  if (command.remove !== true && spec === undefined) {
    throw commandError(ErrorCode.FailedToParse, '必须指定 update 或 remove / Either an update or remove=true must be specified');
  }
  const context = updateContext(ctx, command, { q: filter, arrayFilters: command.arrayFilters });
  const project = (doc: Doc | null): Doc | null =>
    doc && command.fields ? (shapeResults([doc], { projection: command.fields as Document })[0] ?? null) : doc;
  const select = (): Doc[] => {
    const sort = command.sort as Document | undefined;
    const matches = access.match(applyFilterOptions(filter, command), sort && Object.keys(sort).length > 0 ? undefined : 1);
    return shapeResults(matches, { sort, limit: 1, collation: sortCollation(command.collation) });
  };
  return whenUnlocked(access, select, ([target]) => {
    if (command.remove === true) {
      if (target) access.remove(target);
      return { lastErrorObject: { n: target ? 1 : 0 }, value: project(target ?? null), ok: 1 };
    }
    if (target) {
      const next = applyUpdate(target, spec as UpdateSpec, context);
      if (next !== target) {
        assertSize(next);
        access.replace(target, next);
      }
      return { lastErrorObject: { n: 1, updatedExisting: true }, value: project(command.new === true ? next : target), ok: 1 };
    }
    if (command.upsert === true) {
      const doc = buildUpsertDocument(filter, spec as UpdateSpec, context);
      assertSize(doc);
      access.insert(doc);
      return {
        lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id },
        value: project(command.new === true ? doc : null),
        ok: 1,
      };
    }
    return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
  });
};

export const writeCommands: Record<string, CommandHandler> = {
  insert,
  update,
  delete: remove,
  findAndModify,
  findandmodify: findAndModify,
};
