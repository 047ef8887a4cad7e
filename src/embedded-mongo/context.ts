import type { Document } from 'bson';
import { ErrorCode, commandError } from './errors.js';
import { DirectAccess, TransactionAccess, ViewAccess, type CollectionAccess } from './access.js';
import type { Catalog } from './catalog.js';
import type { CursorRegistry } from './cursors.js';
import type { FailPoints } from './failpoints.js';
import type { JournalOp } from './storage/types.js';
import type { SessionRegistry, Transaction } from './transactions.js';

/** What the server knows about itself, for hello/buildInfo/serverStatus. */
export interface ServerInfo {
  /** host:port exactly as clients dial it; the replica set's only member. */
  address: string;
  setName: string;
  startedAt: Date;
  connections: { current: number; totalCreated: number };
}

/** Shared server state plus the per-command details a handler needs. */
export interface CommandContext {
  readonly catalog: Catalog;
  readonly cursors: CursorRegistry;
  readonly sessions: SessionRegistry;
  readonly failPoints: FailPoints;
  readonly info: ServerInfo;
  readonly connectionId: number;
  /** The database the command addresses (`$db`). */
  readonly db: string;
  /** Set when the command runs inside a multi-document transaction. */
  readonly transaction: Transaction | undefined;
  /** Size of the request on the wire; a request under 16 MB cannot carry an oversized document. */
  readonly requestBytes: number;
  /** Journal ops this command produced; committed to durability before the reply. */
  readonly ops: JournalOp[];
}

export function accessFor(ctx: CommandContext, name: string, db = ctx.db): CollectionAccess {
  const view = ctx.catalog.get(db, name)?.view;
  if (view) return new ViewAccess(db, name, view, (source) => accessFor(ctx, source, db));
  return ctx.transaction
    ? new TransactionAccess(ctx.catalog, db, name, ctx.ops, ctx.transaction)
    : new DirectAccess(ctx.catalog, db, name, ctx.ops);
}

export type CommandHandler = (command: Document, ctx: CommandContext) => Document | Promise<Document>;

/** Reads the collection name a command addresses (its first field, `{find: 'users'}`). */
export function collectionName(command: Document): string {
  const commandName = Object.keys(command)[0] ?? '';
  const name: unknown = command[commandName];
  if (typeof name !== 'string' || name.length === 0) {
    throw commandError(ErrorCode.InvalidNamespace, `集合名必须是字符串 / collection name for '${commandName}' must be a non-empty string`);
  }
  return name;
}
