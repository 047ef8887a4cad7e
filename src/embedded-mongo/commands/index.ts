import type { Document } from 'bson';
import type { CommandContext, CommandHandler } from '../context.js';
import { ErrorCode, MongoCommandError, commandError } from '../errors.js';
import type { Transaction } from '../transactions.js';
import { adminCommands } from './admin.js';
import { catalogCommands } from './catalog.js';
import { readCommands } from './read.js';
import { writeCommands } from './write.js';

const handlers = new Map<string, CommandHandler>(
  Object.entries({ ...adminCommands, ...catalogCommands, ...readCommands, ...writeCommands }),
);

/** Commands MongoDB allows inside a multi-document transaction. */
const TRANSACTIONAL = new Set([
  'find', 'getMore', 'killCursors', 'insert', 'update', 'delete', 'findAndModify', 'findandmodify',
  'aggregate', 'distinct', 'count', 'create', 'createIndexes', 'commitTransaction', 'abortTransaction',
]);

/** Commands that manage a transaction themselves instead of running inside one. */
const TRANSACTION_CONTROL = new Set(['commitTransaction', 'abortTransaction']);

export function commandNameOf(command: Document): string {
  return Object.keys(command)[0] ?? '';
}

export type ContextWithoutTransaction = Omit<CommandContext, 'transaction'>;

/**
 * Runs one command and returns its reply document; failures become `{ok: 0, ...}` replies.
 * `persist` receives the journal ops and must resolve before the reply is sent.
 */
export async function runCommand(
  command: Document,
  base: ContextWithoutTransaction,
  persist: (ctx: CommandContext) => Promise<void>,
): Promise<Document> {
  const name = commandNameOf(command);
  let transaction: Transaction | undefined;
  const ops = base.ops;
  try {
    const handler = handlers.get(name);
    if (!handler) throw commandError(ErrorCode.CommandNotFound, `no such command: '${name}'`);
    transaction = TRANSACTION_CONTROL.has(name) ? undefined : base.sessions.transactionFor(command);
    if (transaction && !TRANSACTIONAL.has(name)) {
      throw commandError(ErrorCode.OperationNotSupportedInTransaction, `事务中不允许 ${name} / Cannot run '${name}' in a multi-document transaction.`);
    }
    const retried = transaction ? undefined : base.sessions.retriedWrite(command);
    if (retried) return retried;
    const ctx: CommandContext = { ...base, transaction };
    const reply = await handler(command, ctx);
    if (!transaction) base.sessions.rememberWrite(command, reply);
    // MongoDB aborts a transaction when one of its writes fails.
    if (transaction && Array.isArray(reply.writeErrors)) transaction.abort();
    await persist(ctx);
    return reply;
  } catch (error) {
    transaction?.abort();
    // Writes applied before a failure are acknowledged as partial results: make them durable too.
    if (ops.length > 0) await persist({ ...base, transaction: undefined }).catch(() => undefined);
    if (error instanceof MongoCommandError) return error.toReply();
    const message = error instanceof Error ? error.message : String(error);
    return new MongoCommandError(ErrorCode.InternalError, `内部错误 / Internal error: ${message}`).toReply();
  }
}
