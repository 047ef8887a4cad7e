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

export interface RankPage<T> {
  page: T[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/**
 * The `first` best items strictly after the cursor's position (from the top without one), in
 * rank order. A bounded insertion keeps only first + 1 of them, so the cost stays linear in
 * the number of candidates instead of sorting them all.
 */
export function pageAfter<T extends { score: number; id: string }>(scored: readonly T[], cursor: SearchCursor | undefined, first: number): RankPage<T> {
  const position = cursor && { score: cursor.s, id: cursor.id };
  const best: T[] = [];
  let before = 0;
  for (const item of scored) {
    if (position && compareRanked(item, position) <= 0) {
      before++;
      continue;
    }
    if (best.length > first && compareRanked(item, best[first]!) >= 0) continue;
    let low = 0;
    let high = best.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (compareRanked(best[mid]!, item) <= 0) low = mid + 1;
      else high = mid;
    }
    best.splice(low, 0, item);
    if (best.length > first + 1) best.pop();
  }
  return { page: best.slice(0, first), hasNextPage: best.length > first, hasPreviousPage: before > 0 };
}
