import type { ErrorClass } from '../db/models/sync-run.js';
import { IngestError } from './fetch/index.js';

/**
 * A failure the sync engine records on a run, with the class an operator acts on:
 * CONFIG (fix the feed), SOURCE_UNREACHABLE (the source is down or slow), SOURCE_DATA (the
 * source sent something unusable as a whole), INTERNAL (our bug or our store).
 */
export class SyncError extends Error {
  override readonly name = 'SyncError';
  constructor(
    readonly errorClass: ErrorClass,
    message: string,
    readonly origin: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const INGEST_CLASS: Record<IngestError['errorClass'], ErrorClass> = {
  config: 'CONFIG',
  source_unreachable: 'SOURCE_UNREACHABLE',
  source_data: 'SOURCE_DATA',
  internal: 'INTERNAL',
};

/** The run error for anything a run throws: the fetch layer's classes carry over. */
export function classifyError(error: unknown, origin = 'engine'): SyncError {
  if (error instanceof SyncError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof IngestError) return new SyncError(INGEST_CLASS[error.errorClass], message, `fetch:${error.code}`, { cause: error });
  if (error instanceof Error && error.name === 'ZodError') return new SyncError('CONFIG', message, origin, { cause: error });
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new SyncError('SOURCE_UNREACHABLE', `运行超时 / The run timed out: ${message}`, origin, { cause: error });
  }
  return new SyncError('INTERNAL', message, origin, { cause: error });
}
