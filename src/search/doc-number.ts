import { DOC_CLOSE, DOC_OPEN, isHan } from './normalize.js';

/**
 * Document numbers (发文字号) such as 国办发〔2024〕12号: an issuer prefix, a year in
 * brackets and a sequence number. They are indexed whole so that a lookup by number is
 * exact, and split (prefix bigrams, year, number) so that parts of them are found too.
 */

/** Longest issuer prefix kept; longer Han runs before the bracket are ordinary text. */
export const MAX_DOC_PREFIX = 10;

export interface DocNumberMatch {
  /** Normalized code point range [start, end) of the whole number, prefix included. */
  start: number;
  end: number;
  /** The Han run right before the bracket (at most MAX_DOC_PREFIX characters). */
  prefix: string;
  year: string;
  /** Sequence number without leading zeros. */
  sequence: string;
}

export function canonicalDocNumber(prefix: string, year: string, sequence: string): string {
  return `${prefix}${DOC_OPEN}${year}${DOC_CLOSE}${sequence}号`;
}

function isDigit(ch: string | undefined): boolean {
  return ch !== undefined && ch >= '0' && ch <= '9';
}

function skipSpaces(chars: readonly string[], at: number): number {
  let i = at;
  while (chars[i] === ' ') i++;
  return i;
}

/** Finds every document number in normalized text (see normalize.ts). */
export function findDocNumbers(chars: readonly string[]): DocNumberMatch[] {
  const found: DocNumberMatch[] = [];
  for (let open = 0; open < chars.length; open++) {
    if (chars[open] !== DOC_OPEN) continue;
    const match = matchAt(chars, open);
    if (match) found.push(match);
  }
  return found;
}

function matchAt(chars: readonly string[], open: number): DocNumberMatch | undefined {
  let prefixStart = open;
  while (prefixStart > 0 && open - prefixStart < MAX_DOC_PREFIX && isHan(chars[prefixStart - 1] ?? '')) {
    prefixStart--;
  }
  if (prefixStart === open) return undefined;
  let i = skipSpaces(chars, open + 1);
  const yearStart = i;
  while (isDigit(chars[i])) i++;
  if (i - yearStart !== 4) return undefined;
  const year = chars.slice(yearStart, i).join('');
  i = skipSpaces(chars, i);
  if (chars[i] !== DOC_CLOSE) return undefined;
  i = skipSpaces(chars, i + 1);
  if (chars[i] === '第') i = skipSpaces(chars, i + 1);
  const sequenceStart = i;
  while (isDigit(chars[i])) i++;
  if (i === sequenceStart || i - sequenceStart > 8) return undefined;
  const sequence = String(Number(chars.slice(sequenceStart, i).join('')));
  let end = i;
  const afterSpaces = skipSpaces(chars, i);
  if (chars[afterSpaces] === '号') end = afterSpaces + 1;
  return { start: prefixStart, end, prefix: chars.slice(prefixStart, open).join(''), year, sequence };
}

/**
 * Whole-number tokens for a match found in stored text. The true start of the issuer
 * prefix is unknown inside running text (根据国办发〔2024〕12号…), so every suffix of the
 * Han run is emitted; a query's prefix then equals exactly one of them.
 */
export function storedDocNumberTokens(match: DocNumberMatch): string[] {
  const prefixChars = Array.from(match.prefix);
  const tokens: string[] = [];
  for (let from = prefixChars.length - 1; from >= 0; from--) {
    tokens.push(canonicalDocNumber(prefixChars.slice(from).join(''), match.year, match.sequence));
  }
  return tokens;
}

export function queryDocNumberToken(match: DocNumberMatch): string {
  return canonicalDocNumber(match.prefix, match.year, match.sequence);
}
