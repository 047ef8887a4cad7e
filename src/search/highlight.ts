import { normalizeWithOrigin } from './normalize.js';

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

/** Which original code points fall inside an occurrence of any target (normalized text). */
function markMatches(text: string, targets: readonly string[]): { original: string[]; marked: boolean[] } {
  const { chars, origin, original } = normalizeWithOrigin(text);
  const marked = new Array<boolean>(original.length).fill(false);
  for (const target of targets) {
    const needle = Array.from(target);
    if (needle.length === 0) continue;
    const first = needle[0];
    next: for (let at = 0; at + needle.length <= chars.length; at++) {
      if (chars[at] !== first) continue;
      for (let k = 1; k < needle.length; k++) if (chars[at + k] !== needle[k]) continue next;
      for (let k = at; k < at + needle.length; k++) marked[origin[k]!] = true;
    }
  }
  return { original, marked };
}

function render(original: readonly string[], marked: readonly boolean[], from: number, to: number): string {
  let html = '';
  let i = from;
  while (i < to) {
    const inMatch = marked[i] === true;
    let j = i;
    while (j < to && (marked[j] === true) === inMatch) j++;
    const segment = escapeHtml(original.slice(i, j).join(''));
    html += inMatch ? `<em>${segment}</em>` : segment;
    i = j;
  }
  return html;
}

/** The whole text with matches marked (for titles). */
export function highlightAll(text: string, targets: readonly string[]): Highlight {
  const { original, marked } = markMatches(text, targets);
  return { html: render(original, marked, 0, original.length), matched: marked.includes(true) };
}

/**
 * A window of about `length` characters around the first match (for bodies), with an
 * ellipsis where text was cut; the beginning of the text when nothing matched.
 */
export function highlightSnippet(text: string, targets: readonly string[], length = 120): Highlight {
  const { original, marked } = markMatches(text, targets);
  const first = marked.indexOf(true);
  const lead = Math.floor(length / 4);
  const start = first <= lead ? 0 : Math.min(first - lead, Math.max(0, original.length - length));
  const end = Math.min(original.length, start + length);
  const html = (start > 0 ? '…' : '') + render(original, marked, start, end) + (end < original.length ? '…' : '');
  return { html, matched: first >= 0 };
}
