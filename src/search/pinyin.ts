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

/** How many Han runs' syllables are kept; the memo is cleared when it is full. */
const MEMO_LIMIT = 20_000;
const memo = new Map<string, readonly string[]>();

/**
 * The syllables of one Han run. pinyin-pro costs several µs per call plus about 2 µs per
 * character, and feeds repeat titles (the same 事项 in every district), so recent runs are
 * remembered. Keyed by the whole run because a polyphone's reading is decided by its
 * neighbours inside the run (重庆 chong, 重要 zhong): the memo returns what pinyin() would.
 */
function syllablesOf(han: string): readonly string[] {
  let syllables = memo.get(han);
  if (syllables === undefined) {
    syllables = pinyin(han, { toneType: 'none', type: 'array', v: true });
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(han, syllables);
  }
  return syllables;
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
