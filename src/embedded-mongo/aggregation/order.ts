import { ObjectId } from 'bson';
import { compare } from 'mingo/util';

/** mingo's order (`compare`), with the common same-type cases inline. */
export function compareKey(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number' && !Number.isNaN(a) && !Number.isNaN(b)) return a < b ? -1 : a > b ? 1 : 0;
  // mingo orders ObjectIds by their hex strings: the order of their bytes (ties broken by `_id`).
  if (a instanceof ObjectId && b instanceof ObjectId) return compareObjectIds(a, b);
  return compare(a, b);
}

/**
 * Buffer.compare's order of the 12 bytes, read in a loop: a sort breaking ties of a score by
 * `_id` compares ids for every candidate tying the page's last, and the call into Buffer.compare
 * cost about three times the loop.
 */
function compareObjectIds(a: ObjectId, b: ObjectId): number {
  const x = a.id;
  const y = b.id;
  if (x.length !== 12 || y.length !== 12) return Buffer.compare(x, y);
  for (let i = 0; i < 12; i++) {
    const d = x[i]! - y[i]!;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
