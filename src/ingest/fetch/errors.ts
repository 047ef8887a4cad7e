/**
 * Classified ingest errors. The sync engine records `errorClass` on the run, so that an admin
 * can tell a wrong feed config from a source that is down from a source that sent bad data.
 */
export const INGEST_ERROR_CLASSES = ['config', 'source_unreachable', 'source_data', 'internal'] as const;
export type IngestErrorClass = (typeof INGEST_ERROR_CLASSES)[number];

export type IngestErrorCode =
  | 'INVALID_CONFIG'
  | 'INVALID_STATE'
  | 'URL_NOT_ALLOWED'
  | 'ADDRESS_BLOCKED'
  | 'DNS_FAILED'
  | 'TIMEOUT'
  | 'NETWORK'
  | 'ABORTED'
  | 'TOO_MANY_REDIRECTS'
  | 'HTTP_STATUS'
  | 'TOO_LARGE'
  | 'PARSE_FAILED'
  | 'UNSAFE_CONTENT';

export interface IngestErrorOptions {
  cause?: unknown;
  /** Transient failures (timeouts, 5xx, 429, resets) may be retried. */
  retryable?: boolean;
  /** HTTP status, when the error came from a response. */
  status?: number;
  /** Seconds the source asked us to wait (Retry-After). */
  retryAfterSeconds?: number;
}

export class IngestError extends Error {
  override readonly name = 'IngestError';
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(
    readonly errorClass: IngestErrorClass,
    readonly code: IngestErrorCode,
    readonly messageZh: string,
    readonly messageEn: string,
    options: IngestErrorOptions = {},
  ) {
    super(`${messageZh} / ${messageEn}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options.retryable ?? false;
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function configError(code: IngestErrorCode, zh: string, en: string, cause?: unknown): IngestError {
  return new IngestError('config', code, zh, en, { cause });
}

export function sourceDataError(zh: string, en: string, cause?: unknown): IngestError {
  return new IngestError('source_data', 'PARSE_FAILED', zh, en, { cause });
}

/** The class of any thrown value: ingest errors keep theirs, everything else is internal. */
export function classifyError(error: unknown): IngestErrorClass {
  return error instanceof IngestError ? error.errorClass : 'internal';
}
