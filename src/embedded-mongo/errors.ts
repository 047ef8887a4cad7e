import type { Document } from 'bson';

/** MongoDB error codes the server emits, with their canonical code names. */
export const ErrorCode = {
  InternalError: 1,
  BadValue: 2,
  NoSuchKey: 4,
  FailedToParse: 9,
  Unauthorized: 13,
  TypeMismatch: 14,
  AuthenticationFailed: 18,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  DocumentValidationFailure: 121,
  CommandNotSupportedOnView: 166,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  NotImplemented: 238,
  WriteConflict: 112,
  OperationNotSupportedInTransaction: 263,
  TransactionTooOld: 225,
  NoSuchTransaction: 251,
  TransactionCommitted: 256,
  BSONObjectTooLarge: 10334,
  DuplicateKey: 11000,
  ChangeStreamFatalError: 280,
  Location40324: 40324,
  Location40415: 40415,
  Location28745: 28745,
  Location28746: 28746,
  Location28747: 28747,
  Location28748: 28748,
  Location28749: 28749,
  DollarPrefixedFieldName: 52,
  MergeStageNoMatchingDocument: 13113,
} as const;

const codeNames = new Map<number, string>(
  Object.entries(ErrorCode).map(([name, code]) => [code, name]),
);

export function codeName(code: number): string {
  return codeNames.get(code) ?? 'UnknownError';
}

export const TRANSIENT_TRANSACTION_ERROR = 'TransientTransactionError';

/** An error reported to the client as `{ ok: 0, code, codeName, errmsg, ... }`. */
export class MongoCommandError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly extra: Document = {},
    readonly errorLabels: string[] = [],
  ) {
    super(message);
  }

  toReply(): Document {
    const reply: Document = { ok: 0, errmsg: this.message, code: this.code, codeName: codeName(this.code), ...this.extra };
    if (this.errorLabels.length > 0) reply.errorLabels = this.errorLabels;
    return reply;
  }

  /** The shape used inside `writeErrors`. */
  toWriteError(index: number): Document {
    return { index, code: this.code, codeName: codeName(this.code), errmsg: this.message, ...this.extra };
  }
}

export function commandError(code: number, message: string, extra?: Document): MongoCommandError {
  return new MongoCommandError(code, message, extra);
}

export function transientError(code: number, message: string): MongoCommandError {
  return new MongoCommandError(code, message, {}, [TRANSIENT_TRANSACTION_ERROR]);
}

/**
 * Turns a mingo error into the MongoDB error a client would see, keeping mingo's message
 * (which names the operator) so an unsupported operator is never silently ignored.
 */
export function fromLibraryError(error: unknown): MongoCommandError {
  if (error instanceof MongoCommandError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/immutable field '_id'/.test(message)) {
    return commandError(ErrorCode.ImmutableField, `不能修改 _id / ${message}`);
  }
  if (/pipeline operator/i.test(message)) {
    return commandError(ErrorCode.Location40324, `不支持的聚合阶段 / Unrecognized pipeline stage: ${message}`);
  }
  if (/update operator/i.test(message)) {
    return commandError(ErrorCode.FailedToParse, `不支持的更新操作符 / Unsupported update operator: ${message}`);
  }
  if (/operator/i.test(message)) {
    return commandError(ErrorCode.BadValue, `不支持的操作符 / Unsupported operator: ${message}`);
  }
  return commandError(ErrorCode.BadValue, message);
}
