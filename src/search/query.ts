import { InvalidInputError } from '../domain/errors.js';
import { findDocNumbers, queryDocNumberToken } from './doc-number.js';
import { normalizeWithOrigin } from './normalize.js';
import { pinyinQueryTokens } from './pinyin.js';
import type { SynonymDictionary } from './synonyms.js';
import { hanTokens, splitRuns, wordToken } from './tokenizer.js';

/**
 * A query string becomes a plan: whitespace-separated terms that must all match; each term
 * is a sequence of pieces that must all match; each piece is a set of alternatives
 * (the word itself, its synonyms, its pinyin reading) of which one must match.
 */

export type AlternativeKind = 'literal' | 'synonym' | 'pinyin' | 'docNumber';

export interface Alternative {
  kind: AlternativeKind;
  /** Stored tokens that must all be present. */
  tokens: string[];
  /** Normalized text to look for in fields (ranking, highlights); none for pinyin. */
  text?: string;
}

export interface Piece {
  alternatives: Alternative[];
}

export interface QueryTerm {
  /** The normalized term as typed, for exact-phrase boosts. */
  text: string;
  pieces: Piece[];
}

export interface SearchPlan {
  terms: QueryTerm[];
}

export const MAX_QUERY_LENGTH = 200;
export const MAX_QUERY_TERMS = 10;

/** Bad search input; an InvalidInputError, so GraphQL reports it as BAD_USER_INPUT. */
export class SearchQueryError extends InvalidInputError {}

export function parseQuery(query: string, dictionary: SynonymDictionary): SearchPlan {
  const text = query.trim();
  if (text.length === 0) throw new SearchQueryError('搜索词不能为空', 'The search query must not be empty', 'query');
  if (text.length > MAX_QUERY_LENGTH) {
    throw new SearchQueryError(`搜索词过长（最多 ${MAX_QUERY_LENGTH} 字）`, `The search query is too long (at most ${MAX_QUERY_LENGTH} characters)`, 'query');
  }
  const rawTerms = text.split(/\s+/u);
  if (rawTerms.length > MAX_QUERY_TERMS) {
    throw new SearchQueryError(`搜索词过多（最多 ${MAX_QUERY_TERMS} 个）`, `Too many search terms (at most ${MAX_QUERY_TERMS})`, 'query');
  }
  const terms = rawTerms.map((raw) => parseTerm(raw, dictionary)).filter((term) => term.pieces.length > 0);
  if (terms.length === 0) {
    throw new SearchQueryError('搜索词中没有可检索的文字', 'The search query contains nothing searchable', 'query');
  }
  return { terms };
}

function parseTerm(raw: string, dictionary: SynonymDictionary): QueryTerm {
  const chars = [...normalizeWithOrigin(raw).chars];
  const pieces: Piece[] = [];
  for (const match of findDocNumbers(chars)) {
    const token = queryDocNumberToken(match);
    pieces.push({ alternatives: [{ kind: 'docNumber', tokens: [token], text: token }] });
    chars.fill(' ', match.start, match.end);
  }
  for (const run of splitRuns(chars)) {
    if (run.kind === 'han') pieces.push(...hanPieces(Array.from(run.text), dictionary));
    else pieces.push(wordPiece(run.text, dictionary));
  }
  return { text: normalizeWithOrigin(raw).chars.join(''), pieces };
}

/** Dictionary words found by longest match become synonym pieces; the rest plain bigrams. */
function hanPieces(chars: string[], dictionary: SynonymDictionary): Piece[] {
  const pieces: Piece[] = [];
  let plainStart = 0;
  const flushPlain = (end: number): void => {
    if (end > plainStart) pieces.push({ alternatives: [literal(chars.slice(plainStart, end).join(''))] });
  };
  let i = 0;
  while (i < chars.length) {
    const word = dictionary.longestWordAt(chars, i);
    if (!word) {
      i++;
      continue;
    }
    flushPlain(i);
    pieces.push({ alternatives: dictionary.expand(word).map((w) => (w === word ? literal(w) : synonym(w))) });
    i += Array.from(word).length;
    plainStart = i;
  }
  flushPlain(chars.length);
  return pieces;
}

function wordPiece(word: string, dictionary: SynonymDictionary): Piece {
  const alternatives: Alternative[] = dictionary.expand(word).map((w) => (w === word ? literal(w) : synonym(w)));
  for (const han of dictionary.wordsForPinyin(word)) alternatives.push(...dictionary.expand(han).map(synonym));
  const pinyinTokens = pinyinQueryTokens(word);
  if (pinyinTokens) alternatives.push({ kind: 'pinyin', tokens: pinyinTokens });
  return { alternatives: dedupe(alternatives) };
}

/** The tokens a word (Han, Latin or mixed) must contain; the same tokenizer as at write time. */
export function tokensOfText(text: string): string[] {
  const tokens: string[] = [];
  for (const run of splitRuns(normalizeWithOrigin(text).chars)) {
    if (run.kind === 'han') tokens.push(...hanTokens(run.text, false));
    else tokens.push(wordToken(run.text));
  }
  return [...new Set(tokens)];
}

function literal(text: string): Alternative {
  return { kind: 'literal', tokens: tokensOfText(text), text };
}

function synonym(text: string): Alternative {
  return { kind: 'synonym', tokens: tokensOfText(text), text };
}

function dedupe(alternatives: Alternative[]): Alternative[] {
  const seen = new Set<string>();
  return alternatives.filter((alternative) => {
    const key = alternative.tokens.join('\u0000');
    if (alternative.tokens.length === 0 || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The MongoDB condition on `searchTerms` for a plan: pieces ANDed, alternatives ORed.
 * `answered` is a piece another condition already matches exactly (a `$in` of its
 * one-token alternatives); it is left out rather than checked twice.
 */
export function searchTermsFilter(plan: SearchPlan, answered?: Piece): Record<string, unknown> {
  const field = 'searchTerms';
  const required = new Set<string>();
  const choices: Record<string, unknown>[] = [];
  for (const piece of plan.terms.flatMap((term) => term.pieces)) {
    if (piece === answered && piece.alternatives.every((alternative) => alternative.tokens.length === 1)) continue;
    const [only, ...others] = piece.alternatives;
    if (!only) continue;
    if (others.length === 0) {
      only.tokens.forEach((token) => required.add(token));
    } else {
      choices.push({ $or: piece.alternatives.map((alternative) => ({ [field]: { $all: alternative.tokens } })) });
    }
  }
  const clauses: Record<string, unknown>[] = [];
  if (required.size > 0) clauses.push({ [field]: { $all: [...required] } });
  clauses.push(...choices);
  if (clauses.length === 0) return {};
  return clauses.length === 1 ? clauses[0]! : { $and: clauses };
}

/** Every literal text the plan looks for, for highlighting. */
export function highlightTexts(plan: SearchPlan): string[] {
  const texts = plan.terms.flatMap((term) =>
    term.pieces.flatMap((piece) => piece.alternatives.flatMap((alternative) => (alternative.text ? [alternative.text] : []))),
  );
  return [...new Set(texts)];
}
