import { z } from 'zod';
import { findDocNumbers, storedDocNumberTokens } from './doc-number.js';
import { htmlToText } from './html-text.js';
import { normalizeText, normalizeWithOrigin } from './normalize.js';
import { titlePinyinTokens } from './pinyin.js';
import { indexTokens } from './tokenizer.js';

/**
 * The `searchTerms` every writer stores with a resource. Fields are taken in order of
 * ranking weight, so when the bound is reached it is body text that is left out. Body text
 * gets no unigrams (about a third of its terms): a one-character query finds titles,
 * document numbers, tags and summaries.
 */

/** Upper bound on stored terms per resource (keeps the multikey index proportionate). */
export const MAX_SEARCH_TERMS = 2_000;
/** Body text beyond this many characters is not indexed. */
export const MAX_INDEXED_BODY_CHARS = 20_000;

const optionalText = z.string().nullish();
const optionalList = z.array(z.string()).nullish();

/** The fields computeSearchTerms reads; any resource document or normalized record fits. */
export const searchableSchema = z.object({
  title: z.string(),
  docNumber: optionalText, // 发文字号
  indexNumber: optionalText, // 索引号
  itemCode: optionalText, // 事项编码
  tags: optionalList,
  issuers: optionalList, // 发文机关
  summary: optionalText,
  /** Sanitized HTML. */
  body: optionalText,
});

export type Searchable = z.input<typeof searchableSchema>;

/**
 * The database ranks search candidates itself (ranking.ts), and its expressions cannot
 * normalize text (NFKC, case, brackets). So the normalized short fields ride at fixed
 * positions at the head of `searchTerms`, where `$arrayElemAt` reads them in O(1), and every
 * writer stores them with the terms without knowing about them. Each starts with its own
 * `\u0001` mark, which the tokenizer never produces, so no query token can equal one.
 */
export const RANKING_TEXTS = {
  title: { position: 0, mark: '\u0001t' },
  docNumber: { position: 1, mark: '\u0001d' },
  /** Tags joined by newlines: query texts never hold whitespace, so a match stays inside one tag. */
  tags: { position: 2, mark: '\u0001g' },
  summary: { position: 3, mark: '\u0001s' },
  /** The document-number tokens of the docNumber field, each between newlines, for an exact match. */
  docNumberTokens: { position: 4, mark: '\u0001n' },
} as const;

export type RankingTextName = keyof typeof RANKING_TEXTS;

function rankingTexts(r: z.output<typeof searchableSchema>): Record<RankingTextName, string> {
  const docNumber = normalizeText(r.docNumber ?? '');
  const docNumberTokens = new Set(findDocNumbers(normalizeWithOrigin(docNumber).chars).flatMap(storedDocNumberTokens));
  const texts: Record<RankingTextName, string> = {
    title: normalizeText(r.title),
    docNumber,
    tags: normalizeText((r.tags ?? []).join('\n')),
    summary: normalizeText(r.summary ?? ''),
    docNumberTokens: docNumberTokens.size > 0 ? `\n${[...docNumberTokens].join('\n')}\n` : '',
  };
  return texts;
}

/**
 * Terms that say what the title, document number and tags hold, so that the index can select
 * the candidates in which every piece of a query may be found there (tier.ts): `t:` + each pair
 * of consecutive code points of those ranking texts (the very strings the score searches), and
 * `t=` + the whole normalized title, `n:` + each document-number token of the docNumber field
 * (what the exact-number boost looks for). A text found in one of them has all its pairs among the
 * `t:` terms, whatever its characters, so "some pair missing" proves "not in any of them". When
 * the three hold more than MAX_PAIRED_CHARS code points (the schema allows a 500-character
 * title), `t*` is stored instead of their pairs and the resource is always in the tier. These
 * follow the ranking texts, so the term cap never cuts them.
 */
export const PAIRED_TERMS = { pair: 't:', titleEquals: 't=', unpaired: 't*', docNumberToken: 'n:' } as const;
export const MAX_PAIRED_CHARS = 1_000;
/** The ranking texts whose pairs are stored. */
export const PAIRED_FIELDS = ['title', 'docNumber', 'tags'] as const satisfies readonly RankingTextName[];

export function textPairs(text: string): string[] {
  const chars = Array.from(text);
  const pairs: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) pairs.push(chars[i]! + chars[i + 1]!);
  return pairs;
}

function pairedTerms(texts: Record<RankingTextName, string>): string[] {
  const exact = [PAIRED_TERMS.titleEquals + texts.title, ...docNumberTokensOf(texts).map((token) => PAIRED_TERMS.docNumberToken + token)];
  const paired = PAIRED_FIELDS.map((field) => texts[field]);
  if (paired.reduce((total, text) => total + Array.from(text).length, 0) > MAX_PAIRED_CHARS) return [...exact, PAIRED_TERMS.unpaired];
  return [...exact, ...paired.flatMap(textPairs).map((pair) => PAIRED_TERMS.pair + pair)];
}

/** The document-number tokens of the docNumber field (they hold no newline). */
function docNumberTokensOf(texts: Record<RankingTextName, string>): string[] {
  return texts.docNumberTokens.split('\n').filter((token) => token.length > 0);
}

export function computeSearchTerms(resource: Searchable): string[] {
  const r = searchableSchema.parse(resource);
  const texts = rankingTexts(r);
  const sources: (() => string[])[] = [
    () => (Object.keys(RANKING_TEXTS) as RankingTextName[]).map((name) => RANKING_TEXTS[name].mark + texts[name]),
    () => pairedTerms(texts),
    () => indexTokens(r.title),
    () => titlePinyinTokens(r.title),
    () => indexTokens(r.docNumber ?? ''),
    () => indexTokens(r.indexNumber ?? ''),
    () => indexTokens(r.itemCode ?? ''),
    () => (r.tags ?? []).flatMap((tag) => indexTokens(tag)),
    () => (r.issuers ?? []).flatMap((issuer) => indexTokens(issuer)),
    () => indexTokens(r.summary ?? ''),
    () => indexTokens(htmlToText(r.body ?? '', MAX_INDEXED_BODY_CHARS), false),
  ];
  const terms = new Set<string>();
  for (const source of sources) {
    for (const token of source()) {
      if (terms.size >= MAX_SEARCH_TERMS) return [...terms];
      terms.add(token);
    }
  }
  return [...terms];
}
