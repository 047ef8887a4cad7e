import { decodeHTML } from 'entities';
import sanitize from 'sanitize-html';

/** Full-width ASCII (Ａ１，：) and the ideographic space become their half-width forms; 〔〕 and CJK punctuation stay. */
export function toHalfWidth(text: string): string {
  return text.replace(/[\uFF01-\uFF5E\u3000]/g, (char) =>
    char === '\u3000' ? ' ' : String.fromCharCode(char.charCodeAt(0) - 0xfee0),
  );
}

/** Trims, including the ideographic space and zero-width characters that copy-paste leaves behind. */
export function trimText(text: string): string {
  return text.replace(/^[\s\u3000\u200b\ufeff]+|[\s\u3000\u200b\ufeff]+$/g, '');
}

export function collapseWhitespace(text: string): string {
  return text.replace(/[ \t\u3000\u00a0]+/g, ' ').replace(/\s*\n\s*/g, '\n').trim();
}

const ENTITY = /&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i;

/** Decodes HTML entities until none are left, so double-escaped `&amp;#039;` ends as `'` (at most 3 rounds). */
export function decodeEntities(text: string): string {
  let current = text;
  for (let round = 0; round < 3 && ENTITY.test(current); round++) current = decodeHTML(current);
  return current;
}

/** One level of double escaping (`&amp;#039;` → `&#039;`) is undone before HTML is parsed. */
function undoDoubleEscaping(html: string): string {
  return html.replace(/&amp;(#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/gi, '&$1;');
}

const SANITIZE_OPTIONS: sanitize.IOptions = {
  allowedTags: [
    'p', 'br', 'hr', 'div', 'span', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'b', 'em', 'i', 'u', 's', 'sub', 'sup',
    'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'blockquote', 'pre', 'code', 'a', 'img', 'table', 'thead', 'tbody', 'tfoot',
    'tr', 'th', 'td', 'caption', 'figure', 'figcaption',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    td: ['colspan', 'rowspan'],
    th: ['colspan', 'rowspan'],
  },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'iframe', 'object'],
  transformTags: { a: sanitize.simpleTransform('a', { rel: 'noopener noreferrer' }) },
};

/** HTML limited to an allowlist of tags and attributes; scripts, styles, handlers and javascript: URLs go. */
export function sanitizeHtml(html: string): string {
  return sanitize(undoDoubleEscaping(html), SANITIZE_OPTIONS).trim();
}

const BLOCK_BOUNDARY = /<\s*(?:br|\/p|\/div|\/li|\/h[1-6]|\/tr|\/table|\/blockquote|\/dd|\/dt|p|div|li|tr|h[1-6])\b[^>]*>/gi;

/** Plain text: tags dropped (blocks become line breaks), entities decoded, whitespace collapsed. */
export function htmlToText(html: string): string {
  const marked = undoDoubleEscaping(html).replace(BLOCK_BOUNDARY, (tag) => `${tag}\n`);
  const stripped = sanitize(marked, { allowedTags: [], allowedAttributes: {}, nonTextTags: SANITIZE_OPTIONS.nonTextTags });
  return collapseWhitespace(decodeEntities(stripped));
}

export const DEFAULT_SEPARATORS = ['；', ';', '、', '，', ',', '|', '｜', '\n'];

/** A splitter compiled once for a set of separators. */
export function listSplitter(separators: readonly string[] = DEFAULT_SEPARATORS): (text: string) => string[] {
  if (separators.length === 0) return (text) => [text];
  const pattern = new RegExp(separators.map((separator) => separator.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
  return (text) =>
    text
      .split(pattern)
      .map(trimText)
      .filter((part) => part !== '');
}

export function splitList(text: string, separators: readonly string[] = DEFAULT_SEPARATORS): string[] {
  return listSplitter(separators)(text);
}
