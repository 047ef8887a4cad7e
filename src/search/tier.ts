import type { SearchCursor } from './cursor.js';
import type { Ranked } from './pipeline.js';
import type { Piece, SearchPlan } from './query.js';
import { recencyOf, scoreBoundOutside } from './ranking.js';
import type { PlanSample, SampledResource } from './statistics.js';
import { PAIRED_FIELDS, PAIRED_TERMS, textPairs, type RankingTextName } from './terms.js';

/**
 * The tier: a part of the candidates that provably holds the page, so that only it is scored.
 * It is the union of two index-friendly sets:
 * - *paired*: every piece of the query may be found in the title, document number or tags
 *   (all pairs of some alternative's text among the `t:` terms, or its document-number token
 *   among the `n:` terms, terms.ts), or the title equals a term (`t=`), or the resource is too
 *   long to be paired (`t*`);
 * - *recent*: dated (publishedAt, startsAt or updatedAt) at most RECENT_DAYS before `asOf`.
 * A candidate in neither misses some piece in those fields, equals no term and is older, so its
 * score is at most `bound` (ranking.ts, scoreBoundOutside, the highest over the pieces it may
 * miss). When the tier holds first + 1 candidates after the cursor scoring above `bound`, they
 * are the page, whatever else matches; otherwise the search ranks every candidate.
 */
export interface Tier {
  /**
   * ANDed with the candidate condition and ranked in one aggregation: an `$or` of the paired
   * set (`$or` / `$all` / `$in` on the terms) and one range per date field, each of which an index
   * answers, so that the store gathers the tier as a union of index sets within the candidates.
   */
  condition: Record<string, unknown>;
  /** No candidate outside the tier scores above this. */
  bound: number;
}

/**
 * Most pages of a large candidate set are decided among summary or body matches by recency:
 * the newest (often future events, at the full boost) rank first. Within this many days the
 * boost is above 2.83 of 3, so every older candidate stays below a page of such matches.
 */
export const RECENT_DAYS = 30;
const DAY_MS = 86_400_000;
const FIELD = 'searchTerms';

/**
 * The piece's condition, or undefined when it always holds: an alternative whose text has no
 * pair (one character) may be in any field, and pinyin alternatives score the same
 * (titlePinyin) for every candidate, so they tell nothing.
 */
function pieceFoundInPaired(piece: Piece): Record<string, unknown> | undefined {
  const branches: Record<string, unknown>[] = [];
  for (const alternative of piece.alternatives) {
    if (alternative.kind === 'pinyin') continue;
    const pairs = [...new Set(textPairs(alternative.text ?? ''))];
    if (pairs.length === 0) return undefined;
    branches.push({ [FIELD]: { $all: pairs.map((pair) => PAIRED_TERMS.pair + pair) } });
    if (alternative.kind === 'docNumber') branches.push({ [FIELD]: PAIRED_TERMS.docNumberToken + alternative.text });
  }
  if (branches.length === 0) return undefined;
  return branches.length === 1 ? branches[0]! : { $or: branches };
}

/** The pieces that may be missing from the paired fields, with the condition that they are not. */
function conditionedPieces(plan: SearchPlan): { piece: Piece; condition: Record<string, unknown> }[] {
  return plan.terms.flatMap((term) => term.pieces).flatMap((piece) => {
    const condition = pieceFoundInPaired(piece);
    return condition ? [{ piece, condition }] : [];
  });
}

/** Undefined when no piece can be missing: the tier would be every candidate. */
export function searchTier(plan: SearchPlan, asOf: number): Tier | undefined {
  const conditioned = conditionedPieces(plan);
  if (conditioned.length === 0) return undefined;
  const found = conditioned.length === 1 ? conditioned[0]!.condition : { $and: conditioned.map(({ condition }) => condition) };
  const always = [...new Set(plan.terms.map((term) => PAIRED_TERMS.titleEquals + term.text)), PAIRED_TERMS.unpaired];
  const since = new Date(asOf - RECENT_DAYS * DAY_MS);
  // Together a superset of "the date the recency reads (publishedAt ?? startsAt ?? updatedAt) is since".
  const recent = ['publishedAt', 'startsAt', 'updatedAt'].map((field) => ({ [field]: { $gte: since } }));
  const recency = recencyOf(since.getTime(), asOf);
  return {
    condition: { $or: [found, { [FIELD]: { $in: always } }, ...recent] },
    bound: Math.max(...conditioned.map(({ piece }) => scoreBoundOutside(plan, piece, recency))),
  };
}

/**
 * About how many candidates of the tier may score above its bound, from the sampled resources
 * the plan matches (statistics.ts): those with every conditioned piece in the title, document
 * number or tags (or a title equal to a term), plus, of those with every conditioned piece at
 * least in the summary or at the pinyin level (which every candidate reaches, ranking.ts), the
 * share dated in the recent window (such a match scores above the bound only there). When this is below a page, the tier would cost its aggregations and then
 * fall back: pages decided among body matches, or by pieces outside the paired fields.
 * Only a guess: it steers the cost, never the result (an unheld tier still falls back).
 */
export function expectedTierHits(plan: SearchPlan, sample: PlanSample, asOf: number): number {
  const pieces = conditionedPieces(plan).map(({ piece }) => piece);
  const titles = new Set(plan.terms.map((term) => term.text));
  const summaryToo: readonly RankingTextName[] = [...PAIRED_FIELDS, 'summary'];
  let paired = 0;
  let inSummary = 0;
  for (const resource of sample.matches) {
    if (titles.has(resource.texts.title) || pieces.every((piece) => foundIn(resource, piece, PAIRED_FIELDS))) paired++;
    else if (pieces.every((piece) => reachesPinyin(piece) || foundIn(resource, piece, summaryToo))) inSummary++;
  }
  return sample.scale * (paired + inSummary * sample.datedSince(asOf - RECENT_DAYS * DAY_MS));
}

function reachesPinyin(piece: Piece): boolean {
  return piece.alternatives.some((alternative) => alternative.kind === 'pinyin');
}

function foundIn(resource: SampledResource, piece: Piece, fields: readonly RankingTextName[]): boolean {
  return piece.alternatives.some(
    ({ kind, text }) =>
      kind !== 'pinyin' &&
      text !== undefined &&
      (fields.some((field) => resource.texts[field].includes(text)) || (kind === 'docNumber' && resource.texts.docNumberTokens.includes(`\n${text}\n`))),
  );
}

/**
 * Whether the tier's ranking is the whole ranking's: first + 1 after the cursor, the last of
 * them above the bound (so every candidate outside ranks after it), and, with a cursor,
 * something in the tier at or before it or a cursor score above the bound (so nothing outside
 * can be at or before it).
 */
export function tierHoldsPage(ranked: Ranked, tier: Tier, position: { cursor: SearchCursor | undefined; first: number }): boolean {
  const { cursor, first } = position;
  const last = ranked.page[first];
  if (ranked.page.length !== first + 1 || !last || last.score <= tier.bound) return false;
  return !cursor || (ranked.before?.length ?? 0) > 0 || cursor.s > tier.bound;
}
