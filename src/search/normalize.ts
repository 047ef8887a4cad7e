/**
 * Text normalization shared by indexing, querying, ranking and highlighting. It works one
 * code point at a time so that every normalized character can be traced back to the
 * original text (the highlighter needs exact original ranges).
 */

const OPENING_BRACKETS = new Set(['〔', '[', '(', '【', '〖', '［', '（', '﹝', '｛', '{']);
const CLOSING_BRACKETS = new Set(['〕', ']', ')', '】', '〗', '］', '）', '﹞', '｝', '}']);

/** The bracket pair every document number is written with after normalization. */
export const DOC_OPEN = '〔';
export const DOC_CLOSE = '〕';

const HAN = /^\p{Script=Han}$/u;
const WORD = /^[\p{L}\p{N}]$/u;

export function isHan(ch: string): boolean {
  return HAN.test(ch);
}

/** Letters and digits that are not Han: Latin words, numbers, other scripts. */
export function isWordChar(ch: string): boolean {
  return WORD.test(ch) && !HAN.test(ch);
}

/**
 * Folds one code point: full-width forms to half-width (NFKC), lower case, and every
 * bracket variant to 〔〕 so that 国办发[2024]12号 and 国办发（2024）12号 read the same.
 */
function foldChar(ch: string): string {
  if (OPENING_BRACKETS.has(ch)) return DOC_OPEN;
  if (CLOSING_BRACKETS.has(ch)) return DOC_CLOSE;
  const folded = ch.normalize('NFKC').toLowerCase();
  if (folded.length === 1 && OPENING_BRACKETS.has(folded)) return DOC_OPEN;
  if (folded.length === 1 && CLOSING_BRACKETS.has(folded)) return DOC_CLOSE;
  return folded;
}

/** foldChar results: text repeats few distinct code points, and NFKC per call is slow. */
const FOLDED = new Map<string, string>();
const MAX_FOLDED = 65_536;

function foldCached(ch: string): string {
  let out = FOLDED.get(ch);
  if (out === undefined) {
    out = foldChar(ch);
    if (FOLDED.size < MAX_FOLDED) FOLDED.set(ch, out);
  }
  return out;
}

export interface NormalizedText {
  /** Normalized code points. */
  chars: string[];
  /** For each normalized code point, the index of the original code point it came from. */
  origin: number[];
  /** The original code points. */
  original: string[];
}

export function normalizeWithOrigin(text: string): NormalizedText {
  const original = Array.from(text);
  const chars: string[] = [];
  const origin: number[] = [];
  for (let index = 0; index < original.length; index++) {
    const folded = foldCached(original[index]!);
    // Almost every code point folds to one UTF-16 unit: no array of its code points per character.
    if (folded.length === 1) {
      chars.push(folded);
      origin.push(index);
      continue;
    }
    for (const out of folded) {
      chars.push(out);
      origin.push(index);
    }
  }
  return { chars, origin, original };
}

/**
 * The normalized text of a text without surrogate pairs, as one string (no array per code
 * point), and for each of its UTF-16 units the index of the original unit it came from:
 * `origin` is undefined when every unit folded to exactly one unit, so that index i of the
 * normalized text is unit i of the original. Undefined when the text or its normalized form
 * holds a surrogate: normalizeWithOrigin then traces code points.
 */
export interface NormalizedUnits {
  normalized: string;
  origin: Int32Array | undefined;
}

const HIGH_SURROGATE = 0xd800;
const LOW_SURROGATE_END = 0xdfff;

function hasSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= HIGH_SURROGATE && code <= LOW_SURROGATE_END) return true;
  }
  return false;
}

export function normalizeUnits(text: string): NormalizedUnits | undefined {
  let normalized = '';
  let copiedTo = 0;
  let oneForOne = true;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // Unified Han ideographs fold to themselves (STABLE_TEXT): most of a body needs no lookup.
    if (code >= 0x4e00 && code <= 0x9fff) continue;
    if (code >= HIGH_SURROGATE && code <= LOW_SURROGATE_END) return undefined;
    const ch = text[i]!;
    const folded = foldCached(ch);
    if (folded === ch) continue;
    if (hasSurrogate(folded)) return undefined;
    if (folded.length !== 1) oneForOne = false;
    normalized += text.slice(copiedTo, i) + folded;
    copiedTo = i + 1;
  }
  normalized = copiedTo === 0 ? text : normalized + text.slice(copiedTo);
  if (oneForOne) return { normalized, origin: undefined };
  const origin = new Int32Array(normalized.length);
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const width = code >= 0x4e00 && code <= 0x9fff ? 1 : foldCached(text[i]!).length;
    origin.fill(i, at, at + width);
    at += width;
  }
  return { normalized, origin };
}

const BRACKET = /[〔〕\[\](){}【】〖〗［］（）﹝﹞｛｝]/u;
const BRACKETS = /[〔〕\[\](){}【】〖〗［］（）﹝﹞｛｝]/gu;
/**
 * Code points that normalization leaves alone (checked in tokenizer.test.ts): unified Han
 * ideographs, lower-case ASCII words and common punctuation that is not full-width.
 */
export const STABLE_TEXT = /^[\u4e00-\u9fff a-z0-9.,;:!?'"%\-_/\n、。《》“”‘’·〔〕]*$/u;

/**
 * The normalized text alone. Most stored text (Han and lower-case ASCII) is already
 * normalized, and ranking normalizes several fields of every candidate, so that case is
 * recognized with two native whole-string operations instead of a per-character walk.
 */
export function normalizeText(text: string): string {
  if (!BRACKET.test(text) && text.normalize('NFKC').toLowerCase() === text) return text;
  // Titles such as 办事指南（2025年修订） differ only by their brackets.
  const bracketsFolded = text.replace(BRACKETS, (ch) => (OPENING_BRACKETS.has(ch) ? DOC_OPEN : DOC_CLOSE));
  if (STABLE_TEXT.test(bracketsFolded)) return bracketsFolded;
  let out = '';
  for (const ch of text) out += foldCached(ch);
  return out;
}
