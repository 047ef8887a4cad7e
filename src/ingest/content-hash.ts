import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal content always hashes equally. Dates become ISO strings. */
export function stableStringify(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const entries = Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

export function contentHash(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('base64url');
}

/** 64 bits of a source id's digest: a compact member of the run's seen-set. */
export function sourceIdDigest(sourceId: string): bigint {
  return createHash('sha1').update(sourceId).digest().readBigUInt64BE(0);
}
