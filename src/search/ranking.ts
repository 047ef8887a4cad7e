import { findDocNumbers, storedDocNumberTokens } from './doc-number.js';
import { normalizeText, normalizeWithOrigin } from './normalize.js';
import type { Alternative, Piece, QueryTerm, SearchPlan } from './query.js';

/**
 * Ranking in the application over the candidates the index returned. Each piece of the
 * query scores by the best field it is found in (title over document number over tags
 * over summary over body); exact phrases, exact document numbers and recency add to it;
 * policies no longer in force are penalised. Scores are integers so that ordering and
 * cursors compare exactly.
 */

export const WEIGHTS = {
  title: 10,
  /** Pinyin is indexed from titles only, so a pinyin-only match is a title match. */
  titlePinyin: 8,
  docNumber: 7,
  tags: 6,
  summary: 3,
  body: 1,
  /** Factor for a match through a synonym rather than the word typed. */
  synonym: 0.9,
  phraseInTitle: 6,
  phraseInSummary: 2,
  titleEqualsTerm: 10,
  exactDocNumber: 20,
  recencyMax: 3,
  recencyHalfLifeDays: 365,
  /** Factor for policies that are EXPIRED (失效) or REPEALED (废止). */
  notInForce: 0.5,
} as const;

const SCORE_SCALE = 1000;
const DAY_MS = 86_400_000;
const NOT_IN_FORCE = new Set(['EXPIRED', 'REPEALED']);

export interface RankCandidate {
  /** Unique and totally ordered: the tie-break (hex ObjectId or any string id). */
  id: string;
  title: string;
  docNumber?: string | null;
  tags?: readonly string[] | null;
  summary?: string | null;
  validity?: string | null;
  /** The date recency is measured from (publishedAt, startsAt or updatedAt). */
  date?: Date | null;
}

/**
 * How a score treats the summary: read it, or (for bounds when it was not fetched) assume it
 * contains nothing or everything the query looks for.
 */
type SummaryMode = 'read' | 'nothing' | 'everything';

/**
 * A candidate's normalized fields, each computed on first use: most pieces are found in the
 * title, so the other fields of most candidates are never normalized.
 */
class FieldTexts {
  private cache: Partial<Record<'title' | 'docNumber' | 'tags' | 'summary', string>> = {};
  private numberTokens: ReadonlySet<string> | undefined;

  constructor(
    private readonly candidate: RankCandidate,
    public summaryMode: SummaryMode,
  ) {}

  summaryIncludes(text: string): boolean {
    if (this.summaryMode !== 'read') return this.summaryMode === 'everything';
    return (this.cache.summary ??= normalizeText(this.candidate.summary ?? '')).includes(text);
  }

  get title(): string {
    return (this.cache.title ??= normalizeText(this.candidate.title));
  }

  get docNumber(): string {
    return (this.cache.docNumber ??= normalizeText(this.candidate.docNumber ?? ''));
  }

  get tags(): string {
    return (this.cache.tags ??= normalizeText((this.candidate.tags ?? []).join('\n')));
  }

  get docNumberTokens(): ReadonlySet<string> {
    return (this.numberTokens ??= new Set(findDocNumbers(normalizeWithOrigin(this.docNumber).chars).flatMap(storedDocNumberTokens)));
  }
}

function alternativeScore(alternative: Alternative, fields: FieldTexts): number {
  if (alternative.kind === 'pinyin') return WEIGHTS.titlePinyin;
  const text = alternative.text ?? '';
  const factor = alternative.kind === 'synonym' ? WEIGHTS.synonym : 1;
  if (alternative.kind === 'docNumber' && fields.docNumberTokens.has(text)) {
    return WEIGHTS.docNumber + WEIGHTS.exactDocNumber;
  }
  if (fields.title.includes(text)) return WEIGHTS.title * factor;
  if (fields.docNumber.includes(text)) return WEIGHTS.docNumber * factor;
  if (fields.tags.includes(text)) return WEIGHTS.tags * factor;
  if (fields.summaryIncludes(text)) return WEIGHTS.summary * factor;
  return 0;
}

/** The index guarantees every piece matched somewhere; if not in a ranked field, the body. */
function pieceScore(piece: Piece, fields: FieldTexts): number {
  const best = Math.max(0, ...piece.alternatives.map((alternative) => alternativeScore(alternative, fields)));
  return best > 0 ? best : WEIGHTS.body;
}

function termScore(term: QueryTerm, fields: FieldTexts): number {
  let score = term.pieces.reduce((sum, piece) => sum + pieceScore(piece, fields), 0);
  if (fields.title === term.text) score += WEIGHTS.titleEqualsTerm;
  if (term.pieces.length > 1 && fields.title.includes(term.text)) score += WEIGHTS.phraseInTitle;
  else if (term.pieces.length > 1 && fields.summaryIncludes(term.text)) score += WEIGHTS.phraseInSummary;
  return score;
}

function recencyBoost(date: Date | null | undefined, asOf: number): number {
  if (!date || Number.isNaN(date.getTime())) return 0;
  const ageDays = Math.max(0, (asOf - date.getTime()) / DAY_MS);
  return WEIGHTS.recencyMax * 0.5 ** (ageDays / WEIGHTS.recencyHalfLifeDays);
}

/** The integer score of one candidate; `asOf` fixes "now" so that pages agree. */
export function scoreCandidate(plan: SearchPlan, candidate: RankCandidate, asOf: number): number {
  return scoreWith(plan, candidate, asOf, new FieldTexts(candidate, 'read'));
}

/**
 * Bounds on the score of a candidate whose summary was not fetched: a score only grows with
 * the matches found, so assuming none and all of them in the summary brackets the real one.
 */
export function scoreBounds(plan: SearchPlan, candidate: RankCandidate, asOf: number): { low: number; high: number } {
  const fields = new FieldTexts(candidate, 'nothing');
  const low = scoreWith(plan, candidate, asOf, fields);
  fields.summaryMode = 'everything';
  return { low, high: scoreWith(plan, candidate, asOf, fields) };
}

function scoreWith(plan: SearchPlan, candidate: RankCandidate, asOf: number, fields: FieldTexts): number {
  let score = plan.terms.reduce((sum, term) => sum + termScore(term, fields), 0);
  score += recencyBoost(candidate.date, asOf);
  if (candidate.validity && NOT_IN_FORCE.has(candidate.validity)) score *= WEIGHTS.notInForce;
  return Math.round(score * SCORE_SCALE);
}

/** Higher score first, then ascending id: a total order, so ranking is stable. */
export function compareRanked(a: { score: number; id: string }, b: { score: number; id: string }): number {
  if (a.score !== b.score) return b.score - a.score;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
