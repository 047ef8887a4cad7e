import { Types } from 'mongoose';
import { z } from 'zod';
import { InvalidInputError } from '../errors.js';

/** A sort key value as it can appear in a cursor. */
export type SortValue = string | number | Date | null;

export interface CursorPosition {
  /** The order the cursor was taken in; a cursor is only valid for the same order. */
  order: string;
  value: SortValue;
  id: Types.ObjectId;
}

const wireSchema = z.tuple([
  z.string(),
  z.union([z.object({ d: z.string().datetime() }), z.string(), z.number(), z.null()]),
  z.string().regex(/^[0-9a-f]{24}$/),
]);

/** Opaque, URL-safe cursor over (sort key, _id): stable however the data changes. */
export function encodeCursor(position: CursorPosition): string {
  const value = position.value instanceof Date ? { d: position.value.toISOString() } : position.value;
  return Buffer.from(JSON.stringify([position.order, value, position.id.toHexString()])).toString('base64url');
}

export function decodeCursor(cursor: string, order: string, argument: string): CursorPosition {
  const invalid = () => new InvalidInputError(`无效的游标：${argument}`, `Invalid cursor: ${argument}`, argument);
  let parsed: z.infer<typeof wireSchema>;
  try {
    parsed = wireSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw invalid();
  }
  const [cursorOrder, value, id] = parsed;
  if (cursorOrder !== order) {
    throw new InvalidInputError(
      `游标与当前排序不一致：${argument}`,
      `Cursor ${argument} was issued for a different orderBy`,
      argument,
    );
  }
  const sortValue = value !== null && typeof value === 'object' ? new Date(value.d) : value;
  return { order, value: sortValue, id: new Types.ObjectId(id) };
}
