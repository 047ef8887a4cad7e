import { z } from 'zod';
import { SearchQueryError } from './query.js';
import { compareRanked } from './ranking.js';

/**
 * A search cursor is a rank position, not an offset: (score, id) of the last item seen plus
 * the reference time the scores were computed with. The next page recomputes scores with
 * that same time and continues strictly after the position, so inserts and deletes between
 * requests never repeat or skip items that were already ranked before it.
 */

const cursorSchema = z.object({
  v: z.literal(1),
  s: z.number().int(),
  id: z.string().min(1).max(200),
  t: z.number().int().nonnegative(),
});

export type SearchCursor = z.infer<typeof cursorSchema>;

export function encodeSearchCursor(position: { score: number; id: string; asOf: number }): string {
  const cursor: SearchCursor = { v: 1, s: position.score, id: position.id, t: position.asOf };
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

export function decodeSearchCursor(cursor: string): SearchCursor {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new SearchQueryError('无效的游标', 'Invalid cursor', 'after');
  }
}

/** Index of the first ranked item strictly after the cursor's position. */
export function startAfter(ranked: readonly { score: number; id: string }[], cursor: SearchCursor): number {
  const position = { score: cursor.s, id: cursor.id };
  let low = 0;
  let high = ranked.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (compareRanked(ranked[mid]!, position) <= 0) low = mid + 1;
    else high = mid;
  }
  return low;
}
