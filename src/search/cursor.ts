import { z } from 'zod';
import { SearchQueryError } from './query.js';

/**
 * A search cursor is a rank position, not an offset: (score, id) of the last item seen plus
 * the reference time the scores were computed with. The next page recomputes scores with
 * that same time and continues strictly after the position, so inserts and deletes between
 * requests never repeat or skip items that were already ranked before it.
 */

const cursorSchema = z.object({
  v: z.literal(1),
  s: z.number().int(),
  /** The resource's ObjectId in hex: ties are broken by `_id`. */
  id: z.string().regex(/^[0-9a-f]{24}$/),
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
