import type { z } from 'zod';
import type { NormalizedRecordInput } from '../src/domain/catalog/normalized-record.js';

/**
 * The one contract every connector folder implements (connectors/<id>/index.ts exports a
 * `Connector`). Format connectors (rest, csv, xlsx, rss, xml, ics, ckan, dcat, webhook)
 * read a source; department profiles (health, education, culture, justice, hrss) wrap a
 * format connector with that department's fields, defaults and categories.
 */

/** One record as the source gave it, before mapping. */
export interface RawRecord {
  /** The source's key for this record (kept as a string so leading zeros survive). */
  sourceId: string;
  /** The record itself, JSON-serialisable, stored verbatim in quarantine when it fails. */
  data: Record<string, unknown>;
  /** Value of the cursor field, for incremental mode. */
  cursor?: string;
}

/** Connector-specific cursor state, checkpointed between runs (JSON-serialisable). */
export type ConnectorState = Record<string, unknown>;

export interface ReadContext {
  /** Aborted on run timeout or shutdown; readers must pass it to every request. */
  signal: AbortSignal;
  /** Fetch that enforces the URL safety policy, timeouts, size caps and retries. */
  fetch: SafeFetch;
  log: (message: string, fields?: Record<string, unknown>) => void;
}

export type SafeFetch = (url: string, init?: SafeFetchInit) => Promise<SafeResponse>;

export interface SafeFetchInit {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

export interface SafeResponse {
  status: number;
  url: string;
  headers: Headers;
  /** The body as bytes (already capped at the configured maximum size). */
  bytes(): Promise<Uint8Array>;
  /** The body as a stream of chunks, for parsers that stream (CSV, large JSON pages). */
  stream(): AsyncIterable<Uint8Array>;
}

/** What a reader yields: records, and a checkpoint after each page/batch it completes. */
export type ReadEvent =
  | { type: 'record'; record: RawRecord }
  | { type: 'checkpoint'; state: ConnectorState }
  /** Yielded once, last, when the source was read to its end (a full snapshot). */
  | { type: 'complete'; state: ConnectorState };

export type MapResult =
  | { ok: true; record: NormalizedRecordInput }
  | { ok: false; reasons: string[] };

export interface CheckResult {
  ok: boolean;
  message: string;
}

export interface Connector<Config = unknown> {
  id: string;
  title: { zh: string; en: string };
  /** Validates a feed's config; exported as JSON Schema for the console's forms. */
  configSchema: z.ZodType<Config>;
  /** Can the source be reached with this config? */
  check(config: Config, ctx: ReadContext): Promise<CheckResult>;
  read(config: Config, state: ConnectorState | undefined, ctx: ReadContext): AsyncIterable<ReadEvent>;
  /** Raw record → normalized record, or a rejection with reasons. Pure. */
  map(raw: RawRecord, config: Config): MapResult;
}
