import { Types } from 'mongoose';
import { RESOURCE_FACETS, type ResourceFacetName } from '../domain/catalog/index.js';
import type { SearchCursor } from './cursor.js';
import type { SearchPlan } from './query.js';
import { scoreExpression } from './ranking.js';

/**
 * The one aggregation a search sends: the candidates (`match`) are scored, and a `$facet`
 * returns the first + 1 best after the cursor, whether any ranks at or before it, the count
 * and the facet buckets. Only those cross the wire, however many candidates there are.
 */

export interface RankedBucket {
  _id: unknown;
  count: number;
}

/** What the pipeline returns: one document of `$facet` outputs. */
export type Ranked = {
  page: { _id: Types.ObjectId; score: number }[];
  /** Only with a cursor: whether anything ranks at or before it. */
  before?: { _id: Types.ObjectId }[];
  total: { n: number }[];
} & Record<ResourceFacetName, RankedBucket[]>;

const FACET_NAMES = Object.keys(RESOURCE_FACETS) as ResourceFacetName[];

export function rankingPipeline(
  match: Record<string, unknown>,
  plan: SearchPlan,
  position: { cursor: SearchCursor | undefined; first: number; asOf: number },
): Record<string, unknown>[] {
  const { cursor, first, asOf } = position;
  const after = cursor ? afterCursor(cursor) : undefined;
  const facetFields = Object.fromEntries(
    FACET_NAMES.map((name) => {
      const { field, multi } = RESOURCE_FACETS[name];
      // An array counts each of its values once.
      return [name, multi ? { $setUnion: [{ $ifNull: [`$${field}`, []] }, []] } : `$${field}`];
    }),
  );
  const facetCounts = Object.fromEntries(
    FACET_NAMES.map((name) => [
      name,
      [...(RESOURCE_FACETS[name].multi ? [{ $unwind: `$${name}` }] : []), { $group: { _id: `$${name}`, count: { $sum: 1 } } }],
    ]),
  );
  return [
    { $match: match },
    { $project: { score: scoreExpression(plan, asOf), ...facetFields } },
    {
      $facet: {
        page: [...(after ? [{ $match: after.match }] : []), { $sort: { score: -1, _id: 1 } }, { $limit: first + 1 }, { $project: { score: 1 } }],
        ...(after ? { before: [{ $match: after.notMatch }, { $limit: 1 }, { $project: { _id: 1 } }] } : {}),
        total: [{ $count: 'n' }],
        ...facetCounts,
      },
    },
  ];
}

/**
 * Rank positions strictly after the cursor (a lower score, or the same score and a greater
 * id: the order `$sort: {score: -1, _id: 1}` gives), and the others.
 */
function afterCursor(cursor: SearchCursor): { match: Record<string, unknown>; notMatch: Record<string, unknown> } {
  const id = new Types.ObjectId(cursor.id);
  return {
    match: { $or: [{ score: { $lt: cursor.s } }, { score: cursor.s, _id: { $gt: id } }] },
    notMatch: { $or: [{ score: { $gt: cursor.s } }, { score: cursor.s, _id: { $lte: id } }] },
  };
}
