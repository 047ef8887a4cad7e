import type { FilterQuery, Model, SortOrder, Types } from 'mongoose';
import { InvalidInputError } from '../errors.js';
import { decodeCursor, encodeCursor, type CursorPosition, type SortValue } from './cursor.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** A sort over one field, ties broken by _id in the same direction. */
export interface SortSpec {
  /** Name of the order, written into cursors, e.g. "UPDATED_AT:DESC". */
  order: string;
  field: string;
  direction: 1 | -1;
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Page<T> {
  edges: Edge<T>[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

interface Keyed {
  _id: Types.ObjectId;
}

/** Page arguments checked and cursors decoded: done before any query, so bad input fails early. */
export interface PreparedPage {
  sort: SortSpec;
  first?: number;
  last?: number;
  after: CursorPosition | null;
  before: CursorPosition | null;
}

export function preparePage(args: PageArgs, sort: SortSpec): PreparedPage {
  const { first, last } = checkSizes(args);
  return {
    sort,
    first,
    last,
    after: args.after ? decodeCursor(args.after, sort.order, 'after') : null,
    before: args.before ? decodeCursor(args.before, sort.order, 'before') : null,
  };
}

/**
 * Relay-style keyset pagination over (sort field, _id): cursors stay valid and pages do not
 * shift when documents are inserted or removed elsewhere in the list.
 */
export async function paginate<T extends Keyed>(
  model: Model<T>,
  filter: FilterQuery<T>,
  page: PreparedPage,
  projection: Record<string, 0> = {},
): Promise<Page<T>> {
  const { sort, first, last, after, before } = page;
  const bounds: FilterQuery<T>[] = [filter];
  if (after) bounds.push(beyond(sort.field, sort.direction, after));
  if (before) bounds.push(beyond(sort.field, flip(sort.direction), before));
  const bounded = and(bounds);

  const backwards = last !== undefined;
  const limit = backwards ? last : (first ?? DEFAULT_PAGE_SIZE);
  const direction = backwards ? flip(sort.direction) : sort.direction;
  const fetched =
    limit === 0
      ? []
      : await model.find(bounded, projection).sort(sortOf(sort.field, direction)).limit(limit + 1).lean<T[]>().exec();
  const hasMore = fetched.length > limit;
  const nodes = fetched.slice(0, limit);
  if (backwards) nodes.reverse();

  const edges = nodes.map((node) => ({ node, cursor: encodeCursor(positionOf(node, sort)) }));
  // The side opposite to the paging direction: is anything at or beyond the given cursor?
  const hasPreviousPage = backwards ? hasMore : after !== null && (await exists(model, filter, sort, after, flip(sort.direction)));
  const hasNextPage = backwards ? before !== null && (await exists(model, filter, sort, before, sort.direction)) : hasMore;

  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

function checkSizes(args: PageArgs): { first?: number; last?: number } {
  for (const argument of ['first', 'last'] as const) {
    const value = args[argument];
    if (value !== null && value !== undefined && (!Number.isInteger(value) || value < 0 || value > MAX_PAGE_SIZE)) {
      throw new InvalidInputError(
        `${argument} 必须是 0 到 ${MAX_PAGE_SIZE} 之间的整数`,
        `${argument} must be an integer from 0 to ${MAX_PAGE_SIZE}`,
        argument,
      );
    }
  }
  const first = args.first ?? undefined;
  const last = args.last ?? undefined;
  if (first !== undefined && last !== undefined) {
    throw new InvalidInputError('first 与 last 不能同时使用', 'Use either first or last, not both', 'last');
  }
  return { first, last };
}

/** Anything strictly beyond `cursor` when walking in `direction` (nulls sort lowest). */
function beyond<T>(field: string, direction: 1 | -1, cursor: CursorPosition): FilterQuery<T> {
  const { value, id } = cursor;
  const idBeyond = direction === 1 ? { $gt: id } : { $lt: id };
  if (value === null) {
    return (direction === 1
      ? { $or: [{ [field]: null, _id: idBeyond }, { [field]: { $ne: null } }] }
      : { [field]: null, _id: idBeyond }) as FilterQuery<T>;
  }
  const valueBeyond = direction === 1 ? { $gt: value } : { $lt: value };
  const alternatives: Record<string, unknown>[] = [{ [field]: valueBeyond }, { [field]: value, _id: idBeyond }];
  if (direction === -1) alternatives.push({ [field]: null });
  return { $or: alternatives } as FilterQuery<T>;
}

/** Is there a document at or beyond the cursor in `direction`? (The cursor's own document counts.) */
async function exists<T extends Keyed>(
  model: Model<T>,
  filter: FilterQuery<T>,
  sort: SortSpec,
  cursor: CursorPosition,
  direction: 1 | -1,
): Promise<boolean> {
  const atOrBeyond = { $or: [beyond(sort.field, direction, cursor), { _id: cursor.id }] } as FilterQuery<T>;
  const found = await model.findOne(and([filter, atOrBeyond])).select({ _id: 1 }).lean().exec();
  return found !== null;
}

function positionOf<T extends Keyed>(node: T, sort: SortSpec): CursorPosition {
  const raw = (node as Record<string, unknown>)[sort.field];
  return { order: sort.order, value: toSortValue(raw), id: node._id };
}

function toSortValue(raw: unknown): SortValue {
  if (raw instanceof Date || typeof raw === 'string' || typeof raw === 'number') return raw;
  return null;
}

function sortOf(field: string, direction: 1 | -1): Record<string, SortOrder> {
  return { [field]: direction, _id: direction };
}

function flip(direction: 1 | -1): 1 | -1 {
  return direction === 1 ? -1 : 1;
}

function and<T>(filters: FilterQuery<T>[]): FilterQuery<T> {
  const nonEmpty = filters.filter((f) => Object.keys(f).length > 0);
  if (nonEmpty.length === 0) return {};
  if (nonEmpty.length === 1) return nonEmpty[0] as FilterQuery<T>;
  return { $and: nonEmpty } as FilterQuery<T>;
}
