import { z } from 'zod';
import { htmlToText } from './html-text.js';
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

export function computeSearchTerms(resource: Searchable): string[] {
  const r = searchableSchema.parse(resource);
  const sources: (() => string[])[] = [
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
