import { compareRanked, scoreBounds, scoreCandidate, type RankCandidate } from './ranking.js';
import { pageAfter, type RankPage, type SearchCursor } from './cursor.js';
import type { SearchPlan } from './query.js';

/**
 * One page of ranked candidates without reading every candidate's summary: scores are first
 * bounded without it, and summaries are read only for the candidates whose place depends on
 * them. The page is the one a full ranking would give.
 */
export async function rankPage(
  plan: SearchPlan,
  candidates: readonly RankCandidate[],
  position: { cursor: SearchCursor | undefined; first: number; asOf: number },
  readSummaries: (ids: string[]) => Promise<Map<string, string | null | undefined>>,
): Promise<RankPage<{ id: string; score: number }>> {
  const { cursor, first, asOf } = position;
  const bounded = candidates.map((candidate) => ({ candidate, id: candidate.id, ...scoreBounds(plan, candidate, asOf) }));
  const open = new Set(undecided(bounded, cursor, first).map((item) => item.id));
  const summaries = open.size > 0 ? await readSummaries([...open]) : new Map<string, string | null | undefined>();
  const scored = bounded.map(({ candidate, id, low }) => ({
    id,
    score: open.has(id) ? scoreCandidate(plan, { ...candidate, summary: summaries.get(id) }, asOf) : low,
  }));
  return pageAfter(scored, cursor, first);
}

/** A candidate whose score is known only within bounds (its summary was not read). */
export interface BoundedScore {
  id: string;
  low: number;
  high: number;
}

/**
 * The candidates whose exact score can change the page: those that may fall on either side
 * of the cursor, and those whose upper bound reaches the (first + 1)-th best lower bound among
 * candidates certainly after the cursor. Any other candidate is certainly before the cursor
 * or certainly outside the page, so its lower bound can stand in for its score.
 */
export function undecided(items: readonly BoundedScore[], cursor: SearchCursor | undefined, first: number): BoundedScore[] {
  const position = cursor && { score: cursor.s, id: cursor.id };
  const high = (item: BoundedScore) => ({ score: item.high, id: item.id });
  const low = (item: BoundedScore) => ({ score: item.low, id: item.id });
  const after = position ? items.filter((item) => compareRanked(high(item), position) > 0) : items;
  const best = pageAfter(after.map(low), undefined, first + 1).page;
  const threshold = best.length > first ? best[first] : undefined;
  return items.filter((item) => {
    if (item.low === item.high) return false;
    if (position && compareRanked(low(item), position) <= 0) return false;
    if (position && compareRanked(high(item), position) <= 0) return true;
    return !threshold || compareRanked(high(item), threshold) <= 0;
  });
}
