import { pinyin } from 'pinyin-pro';
import syllableList from './pinyin-syllables.json' with { type: 'json' };
import { normalizeWithOrigin } from './normalize.js';
import { splitRuns } from './tokenizer.js';

/**
 * Pinyin search: titles are indexed with the pinyin of each character pair (py:yibao for
 * 医保), and a Latin query word that reads as two or more pinyin syllables is turned into
 * the same pairs. Initials (yb) are resolved through the synonym dictionary only: as pairs
 * they would match far too much.
 */

export const PINYIN_PREFIX = 'py:';

/** Every toneless syllable pinyin-pro produces for U+4E00–U+9FA5 (generated from it). */
const SYLLABLES: ReadonlySet<string> = new Set(syllableList);
const LONGEST_SYLLABLE = Math.max(...syllableList.map((s) => s.length));

function syllablesOf(han: string): string[] {
  return pinyin(han, { toneType: 'none', type: 'array', v: true });
}

export function titlePinyinTokens(title: string): string[] {
  const tokens: string[] = [];
  for (const run of splitRuns(normalizeWithOrigin(title).chars)) {
    if (run.kind !== 'han') continue;
    const syllables = syllablesOf(run.text);
    for (let i = 0; i + 1 < syllables.length; i++) {
      tokens.push(PINYIN_PREFIX + syllables[i] + syllables[i + 1]);
    }
  }
  return tokens;
}

/**
 * Splits a Latin word into the fewest pinyin syllables (yiliaobaoxian → yi liao bao xian),
 * or returns undefined when it cannot be read as pinyin.
 */
export function segmentPinyin(word: string): string[] | undefined {
  if (!/^[a-z]+$/.test(word)) return undefined;
  const best: (string[] | undefined)[] = new Array(word.length + 1).fill(undefined);
  best[0] = [];
  for (let end = 1; end <= word.length; end++) {
    for (let length = Math.min(LONGEST_SYLLABLE, end); length >= 1; length--) {
      const before = best[end - length];
      const syllable = word.slice(end - length, end);
      if (!before || !SYLLABLES.has(syllable)) continue;
      const candidate = [...before, syllable];
      const current = best[end];
      if (!current || candidate.length < current.length) best[end] = candidate;
    }
  }
  return best[word.length];
}

/** Pair tokens for a pinyin query word, when it reads as at least two syllables. */
export function pinyinQueryTokens(word: string): string[] | undefined {
  const syllables = segmentPinyin(word);
  if (!syllables || syllables.length < 2) return undefined;
  const tokens: string[] = [];
  for (let i = 0; i + 1 < syllables.length; i++) tokens.push(PINYIN_PREFIX + syllables[i] + syllables[i + 1]);
  return tokens;
}

/** Full pinyin and initials of a Han term, for looking dictionary terms up by pinyin. */
export function pinyinKeys(han: string): { full: string; initials: string } {
  const syllables = syllablesOf(han).filter((s) => /^[a-z]+$/.test(s));
  return { full: syllables.join(''), initials: syllables.map((s) => s[0]).join('') };
}
