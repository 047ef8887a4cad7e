import { Parser } from 'htmlparser2';

/**
 * Plain text of sanitized HTML with entities decoded. Block elements become line breaks so
 * that words in different paragraphs do not form bigrams; inline markup adds nothing, so
 * 医<b>保</b> still reads 医保. Script and style content is dropped.
 */

const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'blockquote', 'br', 'dd', 'div', 'dl', 'dt', 'figcaption', 'figure',
  'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li', 'main', 'nav', 'ol', 'p', 'pre',
  'section', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'ul',
]);
const SKIPPED_TAGS = new Set(['script', 'style', 'template', 'noscript']);

export function htmlToText(html: string, maxLength = Number.POSITIVE_INFINITY): string {
  const parts: string[] = [];
  let length = 0;
  let skipping = 0;
  const push = (text: string): void => {
    if (length >= maxLength) return;
    parts.push(text);
    length += text.length;
  };
  const parser = new Parser(
    {
      onopentagname(name) {
        if (SKIPPED_TAGS.has(name)) skipping++;
        else if (BLOCK_TAGS.has(name)) push('\n');
      },
      onclosetag(name) {
        if (SKIPPED_TAGS.has(name)) skipping = Math.max(0, skipping - 1);
        else if (BLOCK_TAGS.has(name)) push('\n');
      },
      ontext(text) {
        if (skipping === 0) push(text);
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  const text = parts.join('').replace(/[ \t\r\f\v\u00a0\u3000]+/g, ' ').replace(/\s*\n\s*/g, '\n').trim();
  return text.length > maxLength ? text.slice(0, maxLength) : text;
}
