import type { ResourceModel } from '../db/index.js';
import type { Alternative, Piece, SearchPlan } from './query.js';

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

export class TermStatistics {
  private frequencies = new Map<string, number>();
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
    const frequencies = new Map<string, number>();
    // Statistics only steer the index choice; no document or count from them reaches a reader.
    const [sample, documents] = await Promise.all([
      this.Resource.aggregate<{ searchTerms?: string[] }>([{ $sample: { size: this.sampleSize } }, { $project: { _id: 0, searchTerms: 1 } }]),
      this.Resource.estimatedDocumentCount(),
    ]);
    let sampled = 0;
    for (const doc of sample) {
      sampled++;
      for (const token of doc.searchTerms ?? []) frequencies.set(token, (frequencies.get(token) ?? 0) + 1);
    }
    this.frequencies = frequencies;
    this.sampled = sampled;
    this.documents = documents;
    this.takenAt = Date.now();
  }

  /** Share of sampled documents holding the token (0 when unseen). */
  frequency(token: string): number {
    return this.sampled === 0 ? 0 : (this.frequencies.get(token) ?? 0) / this.sampled;
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
