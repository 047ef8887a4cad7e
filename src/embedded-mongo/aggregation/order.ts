import { ObjectId } from 'bson';
import { compare } from 'mingo/util';

/** mingo's order (`compare`), with the common same-type cases inline. */
export function compareKey(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number' && !Number.isNaN(a) && !Number.isNaN(b)) return a < b ? -1 : a > b ? 1 : 0;
  // mingo orders ObjectIds by their hex strings: the order of their bytes (ties broken by `_id`).
  if (a instanceof ObjectId && b instanceof ObjectId) return Buffer.compare(a.id, b.id);
  return compare(a, b);
}
