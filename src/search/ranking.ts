import type { Alternative, Piece, QueryTerm, SearchPlan } from './query.js';
import { PAIRED_FIELDS, RANKING_TEXTS, type RankingTextName } from './terms.js';

/**
 * The ranking, as one aggregation expression the database evaluates for every candidate:
 * each piece of the query scores by the best field it is found in (title over document
 * number over tags over summary over body); exact phrases, exact document numbers and
 * recency add to it; policies no longer in force are penalised. Scores are integers so that
 * ordering and cursors compare exactly.
 *
 * It runs in the database rather than in the application because shipping every candidate
 * across the wire to score it cost ~70 µs per candidate (docs/search.md, Limits). Fields are
 * read from the normalized ranking texts at the head of `searchTerms` (terms.ts), so a
 * match means what it means to the tokenizer: full-width, case and bracket variants agree.
 */

const WEIGHTS = {
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
const NOT_IN_FORCE = ['EXPIRED', 'REPEALED'];

/** An aggregation expression (operator documents, field paths and literals). */
export type Expression = Record<string, unknown> | string | number | boolean | Date | null | Expression[];

function rankingText(name: RankingTextName): Expression {
  return { $arrayElemAt: ['$searchTerms', RANKING_TEXTS[name].position] };
}

/** Byte and code-point positions differ, but only whether there is one matters here. */
function contains(name: RankingTextName, text: string): Expression {
  return { $gte: [{ $indexOfBytes: [rankingText(name), text] }, 0] };
}

/**
 * A score a piece may reach, and when. `when: true` always holds; `found` is the field and
 * text a `contains` condition tests, so that firstReached can drop implied conditions.
 */
interface Level {
  value: number;
  when: Expression | true;
  found?: { field: RankingTextName; text: string };
}

function foundIn(value: number, field: RankingTextName, text: string): Level {
  return { value, when: contains(field, text), found: { field, text } };
}

function alternativeLevels(alternative: Alternative): Level[] {
  if (alternative.kind === 'pinyin') return [{ value: WEIGHTS.titlePinyin, when: true }];
  const text = alternative.text ?? '';
  const factor = alternative.kind === 'synonym' ? WEIGHTS.synonym : 1;
  const levels: Level[] = [];
  if (alternative.kind === 'docNumber') {
    levels.push(foundIn(WEIGHTS.docNumber + WEIGHTS.exactDocNumber, 'docNumberTokens', `\n${text}\n`));
  }
  levels.push(
    foundIn(WEIGHTS.title * factor, 'title', text),
    foundIn(WEIGHTS.docNumber * factor, 'docNumber', text),
    foundIn(WEIGHTS.tags * factor, 'tags', text),
    foundIn(WEIGHTS.summary * factor, 'summary', text),
  );
  return levels;
}

/**
 * The best value any level reaches, as a cascade from the highest value down: the first
 * condition that holds decides, so most candidates stop at the title test. The index
 * guarantees every piece matched somewhere; if not in a ranked field, it is the body.
 */
function firstReached(levels: Level[], otherwise: number): Expression {
  const byValue = new Map<number, (Expression | true)[]>();
  for (const level of [...levels].sort((a, b) => b.value - a.value)) {
    if (impliedAtSameValue(level, levels) || excludedByHigher(level, levels)) continue;
    byValue.set(level.value, [...(byValue.get(level.value) ?? []), level.when]);
  }
  let expression: Expression = otherwise;
  for (const [value, conditions] of [...byValue].reverse()) {
    if (conditions.includes(true)) expression = value;
    else expression = { $cond: [conditions.length === 1 ? conditions[0]! : { $or: conditions }, value, expression] };
  }
  return expression;
}

/**
 * A field holding a text holds every part of it: of two conditions ORed at one value, the one
 * looking for the longer text (基本医疗保险 beside 医疗保险, both synonyms ×0.9) never decides
 * anything, and leaving it out saves a substring search per candidate. Of equal texts, the
 * first stays.
 */
function impliedAtSameValue(level: Level, levels: readonly Level[]): boolean {
  const { found } = level;
  if (!found) return false;
  return levels.some(
    (other, i) =>
      other !== level &&
      other.value === level.value &&
      other.found?.field === found.field &&
      found.text.includes(other.found.text) &&
      (other.found.text !== found.text || i < levels.indexOf(level)),
  );
}

/**
 * The cascade reaches a level only when every higher one failed: if a higher level looked for
 * a part of this level's text in the same field and did not find it, the field cannot hold this
 * text either (特困 not in the title, so neither is its synonym 特困人员). Such a level never
 * decides anything, and leaving it out saves a substring search per candidate that reaches it.
 */
function excludedByHigher(level: Level, levels: readonly Level[]): boolean {
  const { found } = level;
  if (!found) return false;
  return levels.some((other) => other.value > level.value && other.found?.field === found.field && found.text.includes(other.found.text));
}

function pieceScore(piece: Piece): Expression {
  return firstReached(piece.alternatives.flatMap(alternativeLevels), WEIGHTS.body);
}

function termScore(term: QueryTerm): Expression[] {
  const parts: Expression[] = term.pieces.map(pieceScore);
  parts.push({ $cond: [{ $eq: [rankingText('title'), RANKING_TEXTS.title.mark + term.text] }, WEIGHTS.titleEqualsTerm, 0] });
  if (term.pieces.length > 1) {
    parts.push(
      firstReached(
        [
          { value: WEIGHTS.phraseInTitle, when: contains('title', term.text) },
          { value: WEIGHTS.phraseInSummary, when: contains('summary', term.text) },
        ],
        0,
      ),
    );
  }
  return parts;
}

/**
 * Up to recencyMax, halving every recencyHalfLifeDays, from publishedAt / startsAt / updatedAt;
 * a future date counts as today, a missing one gives nothing (null propagates to the $ifNull).
 * Written to evaluate as few operators per candidate as possible: it runs for every one.
 */
function recencyBoost(asOf: number): Expression {
  // The n-argument $ifNull (MongoDB 5.0+): one operator instead of two.
  const date = { $ifNull: ['$publishedAt', '$startsAt', '$updatedAt'] };
  const now = new Date(asOf);
  const halfLives = { $divide: [{ $subtract: [now, date] }, WEIGHTS.recencyHalfLifeDays * DAY_MS] };
  const decayed = { $multiply: [WEIGHTS.recencyMax, { $pow: [0.5, halfLives] }] };
  return { $ifNull: [{ $cond: [{ $gt: [date, now] }, WEIGHTS.recencyMax, decayed] }, 0] };
}

/**
 * The integer score of a candidate resource; `asOf` fixes "now" so that pages agree.
 * Ties are broken by `_id` (ascending) wherever scores are sorted.
 */
export function scoreExpression(plan: SearchPlan, asOf: number): Expression {
  const sum = { $add: [...plan.terms.flatMap(termScore), recencyBoost(asOf)] };
  const notInForce = { $and: [{ $eq: ['$kind', 'POLICY'] }, { $in: ['$validity', NOT_IN_FORCE] }] };
  // The penalty and the scale in one factor: (x × 0.5) × 1000 and x × 500 round alike, as
  // halving is exact in binary floating point.
  const scale = { $cond: [notInForce, WEIGHTS.notInForce * SCORE_SCALE, SCORE_SCALE] };
  // Rounded half up as floor(x + 0.5): scores are positive, and $round's half-to-even costs
  // a decimal conversion per candidate on the embedded server.
  return { $floor: { $add: [{ $multiply: [sum, scale] }, 0.5] } };
}

/**
 * The highest value a piece's cascade can give, and the highest without the levels the tier's
 * terms can tell (the paired fields', and the exact document number's).
 */
function pieceMaxima(piece: Piece): { any: number; unpaired: number } {
  const levels = piece.alternatives.flatMap(alternativeLevels);
  const values = (chosen: Level[]) => Math.max(WEIGHTS.body, ...chosen.map((level) => level.value));
  const paired = (level: Level) =>
    level.found !== undefined && (level.found.field === 'docNumberTokens' || (PAIRED_FIELDS as readonly RankingTextName[]).includes(level.found.field));
  return { any: values(levels), unpaired: values(levels.filter((level) => !paired(level))) };
}

/** The recency boost of a resource dated `date` (ms), as the score expression computes it. */
export function recencyOf(date: number, asOf: number): number {
  if (date > asOf) return WEIGHTS.recencyMax;
  return WEIGHTS.recencyMax * Math.pow(0.5, (asOf - date) / (WEIGHTS.recencyHalfLifeDays * DAY_MS));
}

/**
 * An upper bound on the integer score of any candidate whose title equals no term's text,
 * whose title, document number and tags (PAIRED_FIELDS) hold the text of none of `missing`'s
 * alternatives, whose document-number tokens hold none of them, and whose recency boost is at
 * most `recency` (tier.ts proves all of it from the index and the dates). Every other piece is
 * counted at its best level; `missing` at its best other level (pinyin, summary, body); the title phrase of
 * `missing`'s term is impossible when one of its alternatives is part of that term's text (the
 * title would hold it); no penalty. Plus one point for the floating-point order of the sum, so
 * the bound errs upwards.
 */
export function scoreBoundOutside(plan: SearchPlan, missing: Piece, recency: number): number {
  let sum = Math.min(recency, WEIGHTS.recencyMax);
  for (const term of plan.terms) {
    for (const piece of term.pieces) {
      const maxima = pieceMaxima(piece);
      sum += piece === missing ? maxima.unpaired : maxima.any;
    }
    if (term.pieces.length > 1) {
      const phraseInTitleImpossible =
        term.pieces.includes(missing) &&
        missing.alternatives.some((alternative) => alternative.kind !== 'pinyin' && alternative.text !== undefined && term.text.includes(alternative.text));
      sum += phraseInTitleImpossible ? WEIGHTS.phraseInSummary : Math.max(WEIGHTS.phraseInTitle, WEIGHTS.phraseInSummary);
    }
  }
  return Math.floor(sum * SCORE_SCALE + 0.5) + 1;
}
