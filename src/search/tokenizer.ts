import { findDocNumbers, storedDocNumberTokens } from './doc-number.js';
import { isHan, isWordChar, normalizeWithOrigin } from './normalize.js';

/**
 * The tokenizer that runs at write time and at query time: Han text becomes character
 * bigrams (and unigrams, so one-character queries work), everything else becomes
 * lower-cased letter/number words with full-width folded to half-width.
 */

/** Words longer than this are cut; they are ids or garbage, not something people type. */
export const MAX_WORD_LENGTH = 40;

export type RunKind = 'han' | 'word';

export interface Run {
  kind: RunKind;
  /** Normalized code point range [start, end). */
  start: number;
  end: number;
  text: string;
}

/** Splits normalized text into Han runs and word runs; everything else separates them. */
export function splitRuns(chars: readonly string[]): Run[] {
  const runs: Run[] = [];
  let current: { kind: RunKind; start: number } | undefined;
  const close = (end: number): void => {
    if (current) runs.push({ ...current, end, text: chars.slice(current.start, end).join('') });
    current = undefined;
  };
  chars.forEach((ch, i) => {
    const kind: RunKind | undefined = isHan(ch) ? 'han' : isWordChar(ch) ? 'word' : undefined;
    if (kind !== current?.kind) {
      close(i);
      if (kind) current = { kind, start: i };
    }
  });
  close(chars.length);
  return runs;
}

/** Bigrams of a Han string; a single character is its own token. */
export function hanTokens(text: string, withUnigrams: boolean): string[] {
  const chars = Array.from(text);
  if (chars.length === 1) return chars;
  const tokens: string[] = [];
  for (let i = 0; i + 1 < chars.length; i++) tokens.push(chars[i]! + chars[i + 1]!);
  if (withUnigrams) tokens.push(...chars);
  return tokens;
}

export function wordToken(text: string): string {
  return Array.from(text).slice(0, MAX_WORD_LENGTH).join('');
}

/**
 * Every token stored for a piece of text: bigrams, words, whole document numbers and, when
 * asked (short fields; one-character queries search those), unigrams. Order follows the
 * text, duplicates are left to the caller.
 */
export function indexTokens(text: string, withUnigrams = true): string[] {
  const { chars } = normalizeWithOrigin(text);
  const tokens: string[] = [];
  for (const match of findDocNumbers(chars)) tokens.push(...storedDocNumberTokens(match));
  for (const run of splitRuns(chars)) {
    if (run.kind === 'han') tokens.push(...hanTokens(run.text, withUnigrams));
    else tokens.push(wordToken(run.text));
  }
  return tokens;
}
