import { createHash } from 'node:crypto';
import type { ConnectorState, MapResult, RawRecord } from '../contract.js';
import { compileMapping, getPath, parsePath, type CompiledMapping, type MappingSpec } from '../../src/ingest/mapping/index.js';
import { IngestError } from '../../src/ingest/fetch/index.js';
import type { z } from 'zod';

export interface KeyOptions {
  idPath?: string | string[] | undefined;
  cursorPath?: string | undefined;
}

const parsedPaths = new Map<string, ReturnType<typeof parsePath>>();
function cachedPath(path: string): ReturnType<typeof parsePath> {
  let parsed = parsedPaths.get(path);
  if (!parsed) {
    parsed = parsePath(path);
    parsedPaths.set(path, parsed);
  }
  return parsed;
}

function asKeyText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value).trim();
}

/**
 * A raw record with its key (as text, so leading zeros survive) and its cursor. Records without
 * a key get a content hash, which stays the same while the record does.
 */
export function toRawRecord(data: Record<string, unknown>, keys: KeyOptions): RawRecord {
  const idPaths = keys.idPath === undefined ? [] : Array.isArray(keys.idPath) ? keys.idPath : [keys.idPath];
  const parts = idPaths.map((path) => asKeyText(getPath(data, cachedPath(path))));
  const sourceId =
    parts.length > 0 && parts.every((part) => part !== '')
      ? parts.join('|')
      : `sha1:${createHash('sha1').update(JSON.stringify(data)).digest('hex')}`;
  const record: RawRecord = { sourceId, data };
  if (keys.cursorPath) {
    const cursor = asKeyText(getPath(data, cachedPath(keys.cursorPath)));
    if (cursor !== '') record.cursor = cursor;
  }
  return record;
}

const compiled = new WeakMap<object, CompiledMapping>();

/** `map()` for connectors whose config carries a mapping spec; compiled once per config object. */
export function mapWithSpec(raw: RawRecord, spec: MappingSpec): MapResult {
  let mapping = compiled.get(spec);
  if (!mapping) {
    mapping = compileMapping(spec);
    compiled.set(spec, mapping);
  }
  return mapping(raw);
}

/** Parses a reader's saved state; a state that does not fit is a config error (reset the feed's state). */
export function parseState<T>(schema: z.ZodType<T>, state: ConnectorState | undefined): T {
  const result = schema.safeParse(state ?? {});
  if (!result.success) {
    throw new IngestError(
      'config',
      'INVALID_STATE',
      `同步状态无效，请重置该数据源的状态：${result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
      `Invalid sync state; reset the feed's state: ${result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  return result.data;
}

/** The `map()` of every format connector: the feed's mapping spec applied to the raw record. */
export function mapWithConfig(raw: RawRecord, config: { mapping: MappingSpec }): MapResult {
  return mapWithSpec(raw, config.mapping);
}
