import type { ResourceBase } from '../../db/index.js';
import { isDeepStrictEqual } from 'node:util';

/** Fields that are bookkeeping, not content: excluded from versions, diffs and hashes. */
const NOT_CONTENT = new Set(['_id', 'status', 'provenance', 'searchTerms', 'orgAnchors', 'version', 'createdAt', 'updatedAt', '__v', 'withdrawalHeldBy', 'withdrawnAt']);

/** A resource's content as a plain JSON object (ids and dates as strings). */
export function contentOf(resource: ResourceBase | Record<string, unknown>): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(resource)) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(plain).filter(([key]) => !NOT_CONTENT.has(key)));
}

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

/** Field-by-field changes from one content to another, in field-name order. */
export function diffContent(before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
  const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return fields
    .filter((field) => !isDeepStrictEqual(before[field] ?? null, after[field] ?? null))
    .map((field) => ({ field, before: before[field] ?? null, after: after[field] ?? null }));
}

/** The content a revision would produce: the current content with the proposal applied. */
export function applyProposal(current: Record<string, unknown>, proposed: { set: Record<string, unknown>; unset: string[] }): Record<string, unknown> {
  const next = { ...current, ...contentOf(proposed.set) };
  for (const field of proposed.unset) delete next[field];
  return next;
}
