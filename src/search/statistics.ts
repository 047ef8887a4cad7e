import type { ResourceModel } from '../db/index.js';
import type { Alternative, Piece, SearchPlan } from './query.js';
import { RANKING_TEXTS, type RankingTextName } from './terms.js';

/**
 * Estimated document frequencies of stored terms, from a random sample of resources. The
 * search filter names one "anchor" piece as a plain `searchTerms: {$in: …}` condition so
 * that any store (the embedded server's planner included) answers it from the multikey
 * index; choosing the rarest piece keeps the candidate set close to the result set.
 */

export const STATISTICS_SAMPLE_SIZE = 2_000;
export const STATISTICS_MAX_AGE_MS = 10 * 60_000;

/** Without statistics, a token's kind still says something about its rarity. */
function kindRarity(token: string): number {
  if (token.includes('〔')) return 0;
  if (token.startsWith('py:')) return 2;
  if (/^[\p{L}\p{N}]{3,}$/u.test(token) && !/\p{Script=Han}/u.test(token)) return 1;
  return Array.from(token).length >= 2 ? 3 : 4;
}

/** What the tier's estimate reads of a sampled resource (tier.ts). */
export interface SampledResource {
  /** Its ranking texts (terms.ts), without their marks. */
  texts: Record<RankingTextName, string>;
  /** The date its recency boost reads (publishedAt, else startsAt, else updatedAt), in ms. */
  dated: number | undefined;
}

/** The sampled resources a plan matches, and how to scale counts of them to the collection. */
export interface PlanSample {
  /** Sampled resources holding every piece of the plan (its candidates, visibility aside). */
  matches: SampledResource[];
  /** Resources in the collection per sampled resource. */
  scale: number;
  /** The share of sampled resources dated at or after `since` (ms). */
  datedSince(since: number): number;
}

type RankingDates = Partial<Record<'publishedAt' | 'startsAt' | 'updatedAt', Date | null>>;

function sampledResource(doc: { searchTerms?: string[] } & RankingDates): SampledResource {
  const terms = doc.searchTerms ?? [];
  const texts = Object.fromEntries(
    (Object.keys(RANKING_TEXTS) as RankingTextName[]).map((name) => {
      const { position, mark } = RANKING_TEXTS[name];
      const stored = terms[position];
      return [name, stored?.startsWith(mark) ? stored.slice(mark.length) : ''];
    }),
  ) as Record<RankingTextName, string>;
  return { texts, dated: (doc.publishedAt ?? doc.startsAt ?? doc.updatedAt)?.getTime() };
}

export class TermStatistics {
  /** Per token, the sampled resources holding it (indexes into `resources`, ascending). */
  private postings = new Map<string, number[]>();
  private resources: SampledResource[] = [];
  private sampled = 0;
  /** The collection's size when sampled (an estimate, like the frequencies). */
  private documents = 0;
  private takenAt = Number.NEGATIVE_INFINITY;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly Resource: ResourceModel,
    private readonly sampleSize = STATISTICS_SAMPLE_SIZE,
    private readonly maxAgeMs = STATISTICS_MAX_AGE_MS,
  ) {}

  /** Waits for a first sample; later refreshes run in the background. */
  async ready(now = Date.now()): Promise<void> {
    if (now - this.takenAt <= this.maxAgeMs) return;
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    if (this.sampled === 0) await this.refreshing;
  }

  private async refresh(): Promise<void> {
    const postings = new Map<string, number[]>();
    // Statistics only steer the plan (the anchor, whether to try the tier); no document or
    // count from them reaches a reader.
    const [sample, documents] = await Promise.all([
      this.Resource.aggregate<{ searchTerms?: string[] } & RankingDates>([
        { $sample: { size: this.sampleSize } },
        { $project: { _id: 0, searchTerms: 1, publishedAt: 1, startsAt: 1, updatedAt: 1 } },
      ]),
      this.Resource.estimatedDocumentCount(),
    ]);
    const resources: SampledResource[] = [];
    for (const doc of sample) {
      const index = resources.push(sampledResource(doc)) - 1;
      // Stored terms are distinct (terms.ts), so each list stays ascending without duplicates.
      for (const token of doc.searchTerms ?? []) {
        const list = postings.get(token);
        if (list) list.push(index);
        else postings.set(token, [index]);
      }
    }
    this.postings = postings;
    this.resources = resources;
    this.sampled = resources.length;
    this.documents = documents;
    this.takenAt = Date.now();
  }

  /** Share of sampled documents holding the token (0 when unseen). */
  frequency(token: string): number {
    return this.sampled === 0 ? 0 : (this.postings.get(token)?.length ?? 0) / this.sampled;
  }

  /** The sampled resources matching the plan (every piece, one of its alternatives whole). */
  sample(plan: SearchPlan): PlanSample {
    let matching: Set<number> | undefined;
    for (const piece of plan.terms.flatMap((term) => term.pieces)) {
      const holding = new Set(piece.alternatives.flatMap((alternative) => this.holdingAll(alternative.tokens)));
      matching = matching ? new Set([...matching].filter((index) => holding.has(index))) : holding;
    }
    const resources = this.resources;
    return {
      matches: [...(matching ?? [])].map((index) => resources[index]!),
      scale: this.sampled === 0 ? 0 : this.documents / this.sampled,
      datedSince: (since) => (resources.length === 0 ? 0 : resources.filter((r) => r.dated !== undefined && r.dated >= since).length / resources.length),
    };
  }

  /** The sampled resources holding every token. */
  private holdingAll(tokens: readonly string[]): number[] {
    const [rarest, ...others] = tokens.map((token) => this.postings.get(token) ?? []).sort((a, b) => a.length - b.length);
    if (!rarest) return [];
    const sets = others.map((list) => new Set(list));
    return rarest.filter((index) => sets.every((set) => set.has(index)));
  }

  private rarestToken(alternative: Alternative): { token: string; frequency: number } {
    const ranked = alternative.tokens
      .map((token) => ({ token, frequency: this.frequency(token), rarity: kindRarity(token) }))
      .sort((a, b) => a.frequency - b.frequency || a.rarity - b.rarity || b.token.length - a.token.length);
    return ranked[0]!;
  }

  /**
   * The anchor: the piece expected to match fewest documents, and one token per alternative
   * of it (the rarest), whose `$in` is a superset of the piece's matches.
   */
  anchor(plan: SearchPlan): Anchor {
    const anchors = plan.terms
      .flatMap((term) => term.pieces)
      .map((piece) => this.pieceAnchor(piece))
      .sort((a, b) => a.frequency - b.frequency || a.rarity - b.rarity);
    const best = anchors[0];
    if (!best) throw new Error('A search plan always has a piece');
    return { piece: best.piece, tokens: best.tokens, estimatedMatches: best.frequency * this.documents };
  }

  private pieceAnchor(piece: Piece): Omit<Anchor, 'estimatedMatches'> & { frequency: number; rarity: number } {
    const rarest = piece.alternatives.map((alternative) => this.rarestToken(alternative));
    return {
      piece,
      tokens: [...new Set(rarest.map((r) => r.token))],
      frequency: rarest.reduce((sum, r) => sum + r.frequency, 0),
      rarity: Math.max(...rarest.map((r) => kindRarity(r.token))),
    };
  }
}

export interface Anchor {
  piece: Piece;
  tokens: string[];
  /** About how many resources hold the anchor (sampled; may be far off for rare terms). */
  estimatedMatches: number;
}
