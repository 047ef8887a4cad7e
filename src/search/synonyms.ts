import { readFileSync } from 'node:fs';
import { z } from 'zod';
import bundled from './synonyms.json' with { type: 'json' };
import { isHan, normalizeText } from './normalize.js';
import { pinyinKeys } from './pinyin.js';

/**
 * The synonym and abbreviation dictionary: groups of equivalent words (医保 ↔ 医疗保险),
 * expanded at query time only, so that editing it needs no reindex. Han words are also
 * reachable by their full pinyin and initials (yibao, yb → 医保).
 */

const dictionarySchema = z.object({
  description: z.string().optional(),
  groups: z.array(z.array(z.string().trim().min(1).max(40)).min(2)).max(10_000),
});

export type SynonymDictionaryFile = z.infer<typeof dictionarySchema>;

export class SynonymDictionary {
  /** Normalized word → every word of its groups (itself first). */
  private readonly byWord = new Map<string, string[]>();
  /** Full pinyin or initials → the Han words they stand for. */
  private readonly byPinyin = new Map<string, string[]>();
  private readonly longestWord: number;

  constructor(groups: readonly (readonly string[])[]) {
    for (const group of groups) {
      const words = [...new Set(group.map(normalizeText))];
      for (const word of words) {
        const known = this.byWord.get(word) ?? [word];
        this.byWord.set(word, [...new Set([...known, ...words])]);
      }
    }
    for (const word of this.byWord.keys()) {
      if (!Array.from(word).every(isHan)) continue;
      const { full, initials } = pinyinKeys(word);
      for (const key of new Set([full, initials])) {
        if (key.length < 2) continue;
        this.byPinyin.set(key, [...new Set([...(this.byPinyin.get(key) ?? []), word])]);
      }
    }
    this.longestWord = Math.max(0, ...[...this.byWord.keys()].map((w) => Array.from(w).length));
  }

  /** The equivalents of a normalized word, itself first; just the word when unknown. */
  expand(word: string): string[] {
    return this.byWord.get(word) ?? [word];
  }

  /** The longest dictionary word starting at `start` in normalized text, if any. */
  longestWordAt(chars: readonly string[], start: number): string | undefined {
    const limit = Math.min(this.longestWord, chars.length - start);
    for (let length = limit; length >= 2; length--) {
      const word = chars.slice(start, start + length).join('');
      if (this.byWord.has(word)) return word;
    }
    return undefined;
  }

  /** Han dictionary words spelled by a Latin word's full pinyin or initials. */
  wordsForPinyin(latin: string): string[] {
    return this.byPinyin.get(latin) ?? [];
  }
}

export function parseSynonymDictionary(json: unknown): SynonymDictionary {
  const parsed = dictionarySchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`同义词词典格式错误 / Invalid synonym dictionary: ${z.prettifyError(parsed.error)}`);
  }
  return new SynonymDictionary(parsed.data.groups);
}

export function loadSynonymDictionary(path: string): SynonymDictionary {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`无法读取同义词词典 / Cannot read synonym dictionary ${path}: ${(error as Error).message}`);
  }
  return parseSynonymDictionary(json);
}

let bundledDictionary: SynonymDictionary | undefined;

/** The dictionary shipped in src/search/synonyms.json. */
export function bundledSynonyms(): SynonymDictionary {
  bundledDictionary ??= parseSynonymDictionary(bundled);
  return bundledDictionary;
}
