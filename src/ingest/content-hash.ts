import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted, so equal content always hashes equally. Dates become ISO
 * strings. Built by plain loops: every record of every sync is hashed.
 */
export function stableStringify(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + stableStringify(value[i]);
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  // The default sort compares UTF-16 code units, as `<` does.
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    const field = record[key];
    if (field === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${stableStringify(field)}`;
  }
  return `${out}}`;
}

export function contentHash(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('base64url');
}

/**
 * A 64-bit digest of a source id: a compact member of the run's seen-set. Two independently
 * seeded 32-bit multiply-xor hashes over the UTF-16 code units; no cryptographic strength is
 * needed (a collision can only make a record look seen, which withdraws nothing), and the
 * seen-set digests every record of a full refresh twice.
 */
export function sourceIdDigest(sourceId: string): bigint {
  let high = 0x811c9dc5;
  let low = 0x9e3779b9 ^ sourceId.length;
  for (let i = 0; i < sourceId.length; i++) {
    const unit = sourceId.charCodeAt(i);
    high = Math.imul(high ^ unit, 0x01000193);
    low = Math.imul(low ^ unit, 0x5bd1e995);
    low ^= low >>> 15;
  }
  return (BigInt(mix(high) >>> 0) << 32n) | BigInt(mix(low) >>> 0);
}

/** murmur3's finalizer: spreads every input bit over the whole word. */
function mix(hash: number): number {
  let h = hash ^ (hash >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
