import { Types } from 'mongoose';
import { RESOURCE_FACETS, type ResourceFacetName } from '../domain/catalog/index.js';
import type { SearchCursor } from './cursor.js';
import type { SearchPlan } from './query.js';
import { scoreExpression } from './ranking.js';

/**
 * The aggregations a search sends over one candidate condition (`match`): the candidates
 * counted by combination of facet values (`countsPipeline`, one `$group`, no score), and the
 * candidates scored with a `$facet` that returns the first + 1 best after the cursor and
 * whether any ranks at or before it (`rankingPipeline`). Only those cross the wire, however
 * many candidates there are. They are separate so that the count never needs a score and the
 * ranking may run over a smaller set that provably holds the page (tier.ts).
 */

/** The candidates sharing one combination of facet values (arrays as stored), and how many. */
export interface FacetCombination {
  _id: Partial<Record<ResourceFacetName, unknown>>;
  n: number;
}

/** What rankingPipeline returns: one document of `$facet` outputs. */
export interface Ranked {
  page: { _id: Types.ObjectId; score: number }[];
  /** Only with a cursor: whether anything ranks at or before it. */
  before?: { _id: Types.ObjectId }[];
}

/** A facet value as the resource connections show it (a string), and its count. */
export interface FacetCount {
  value: string;
  count: number;
}

const FACET_NAMES = Object.keys(RESOURCE_FACETS) as ResourceFacetName[];

/**
 * The count and the facet buckets, summed from the combinations: a candidate counts once in
 * the total and once for each distinct value of each facet (an array counts each of its values
 * once). Exactly what one `$group` per facet over the candidates gives, with one `$group` in
 * the database instead of four plus `$unwind`s and the per-candidate work of each.
 */
export function facetCounts(combinations: readonly FacetCombination[]): { total: number; facets: Record<ResourceFacetName, FacetCount[]> } {
  let total = 0;
  const counts = new Map(FACET_NAMES.map((name) => [name, new Map<string, number>()]));
  const add = (byValue: Map<string, number>, one: string, n: number) => byValue.set(one, (byValue.get(one) ?? 0) + n);
  for (const { _id: values, n } of combinations) {
    total += n;
    for (const name of FACET_NAMES) {
      const value: unknown = values[name];
      const byValue = counts.get(name)!;
      // Most values are scalars: no array or set for them.
      if (!Array.isArray(value)) {
        if (value !== undefined && value !== null) add(byValue, String(value), n);
        continue;
      }
      const distinct = new Set<string>();
      for (const one of value as unknown[]) if (one !== undefined && one !== null) distinct.add(String(one));
      for (const one of distinct) add(byValue, one, n);
    }
  }
  const facets = Object.fromEntries(
    FACET_NAMES.map((name) => [name, [...counts.get(name)!].map(([value, count]) => ({ value, count }))]),
  ) as Record<ResourceFacetName, FacetCount[]>;
  return { total, facets };
}

/** Every candidate counted once, by its combination of facet values (arrays as stored). */
export function countsPipeline(match: Record<string, unknown>): Record<string, unknown>[] {
  const combination = Object.fromEntries(FACET_NAMES.map((name) => [name, `$${RESOURCE_FACETS[name].field}`]));
  return [{ $match: match }, { $group: { _id: combination, n: { $sum: 1 } } }];
}

export function rankingPipeline(
  match: Record<string, unknown>,
  plan: SearchPlan,
  position: { cursor: SearchCursor | undefined; first: number; asOf: number },
): Record<string, unknown>[] {
  const { cursor, first, asOf } = position;
  const after = cursor ? afterCursor(cursor) : undefined;
  return [
    { $match: match },
    { $project: { score: scoreExpression(plan, asOf) } },
    {
      $facet: {
        page: [...(after ? [{ $match: after.match }] : []), { $sort: { score: -1, _id: 1 } }, { $limit: first + 1 }],
        ...(after ? { before: [{ $match: after.notMatch }, { $limit: 1 }, { $project: { _id: 1 } }] } : {}),
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
