import { normalizeUnits, normalizeWithOrigin, type NormalizedUnits } from './normalize.js';

/**
 * Highlights: the matched words wrapped in <em>, everything else HTML-escaped. The result
 * is built from plain text, so it is always well-formed whatever the source contained.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
}

export interface Highlight {
  html: string;
  matched: boolean;
}

/**
 * A text with its matches: `length` code points, the first matched one (-1 for none), and
 * which code points of a range fall inside an occurrence of any target (normalized text).
 */
interface MatchedText {
  length: number;
  first: number;
  /** One flag per code point of [from, to). */
  marks(from: number, to: number): Uint8Array;
  /** The original text of code points [from, to). */
  slice(from: number, to: number): string;
}

/**
 * Matches found with indexOf in the normalized text as one string, marking only the range
 * asked for: a body snippet needs about SNIPPET_LENGTH characters, not the whole body.
 * Every code point is one UTF-16 unit here (normalizeUnits), so code point i is unit i.
 */
function unitMatches(text: string, units: NormalizedUnits, targets: readonly string[]): MatchedText {
  const { normalized, origin } = units;
  const needles = targets.filter((target) => target.length > 0);
  /** The first normalized unit that comes from original unit `index` or later. */
  const unitAt = (index: number): number => {
    if (!origin) return index;
    let low = 0;
    let high = origin.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (origin[middle]! < index) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  let first = -1;
  for (const needle of needles) {
    const at = normalized.indexOf(needle);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return {
    length: text.length,
    first: first < 0 || !origin ? first : origin[first]!,
    marks(from, to) {
      const marked = new Uint8Array(to - from);
      const start = unitAt(from);
      const end = unitAt(to);
      for (const needle of needles) {
        // An occurrence starting this far before `start` ends before it.
        for (let at = normalized.indexOf(needle, Math.max(0, start - needle.length + 1)); at >= 0 && at < end; at = normalized.indexOf(needle, at + 1)) {
          for (let k = at; k < at + needle.length; k++) {
            const index = origin ? origin[k]! : k;
            if (index >= from && index < to) marked[index - from] = 1;
          }
        }
      }
      return marked;
    },
    slice: (from, to) => text.slice(from, to),
  };
}

/** Code point by code point (texts with surrogate pairs, or targets with them). */
function codePointMatches(text: string, targets: readonly string[]): MatchedText {
  const { chars, origin, original } = normalizeWithOrigin(text);
  const marked = new Uint8Array(original.length);
  for (const target of targets) {
    const needle = Array.from(target);
    if (needle.length === 0) continue;
    const first = needle[0];
    next: for (let at = 0; at + needle.length <= chars.length; at++) {
      if (chars[at] !== first) continue;
      for (let k = 1; k < needle.length; k++) if (chars[at + k] !== needle[k]) continue next;
      for (let k = at; k < at + needle.length; k++) marked[origin[k]!] = 1;
    }
  }
  return {
    length: original.length,
    first: marked.indexOf(1),
    marks: (from, to) => marked.subarray(from, to),
    slice: (from, to) => original.slice(from, to).join(''),
  };
}

const SURROGATE = /[\uD800-\uDFFF]/;

function matchesOf(text: string, targets: readonly string[]): MatchedText {
  const units = targets.some((target) => SURROGATE.test(target)) ? undefined : normalizeUnits(text);
  return units ? unitMatches(text, units, targets) : codePointMatches(text, targets);
}

function render(text: MatchedText, from: number, to: number): string {
  const marked = text.marks(from, to);
  let html = '';
  let i = 0;
  while (i < marked.length) {
    const inMatch = marked[i];
    let j = i;
    while (j < marked.length && marked[j] === inMatch) j++;
    const segment = escapeHtml(text.slice(from + i, from + j));
    html += inMatch ? `<em>${segment}</em>` : segment;
    i = j;
  }
  return html;
}

/** The whole text with matches marked (for titles). */
export function highlightAll(text: string, targets: readonly string[]): Highlight {
  const matched = matchesOf(text, targets);
  return { html: render(matched, 0, matched.length), matched: matched.first >= 0 };
}

/**
 * A window of about `length` characters around the first match (for bodies), with an
 * ellipsis where text was cut; the beginning of the text when nothing matched.
 */
export function highlightSnippet(text: string, targets: readonly string[], length = 120): Highlight {
  const matched = matchesOf(text, targets);
  const { first } = matched;
  const lead = Math.floor(length / 4);
  const start = first <= lead ? 0 : Math.min(first - lead, Math.max(0, matched.length - length));
  const end = Math.min(matched.length, start + length);
  const html = (start > 0 ? '…' : '') + render(matched, start, end) + (end < matched.length ? '…' : '');
  return { html, matched: first >= 0 };
}
