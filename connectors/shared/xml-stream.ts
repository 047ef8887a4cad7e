import { Parser } from 'htmlparser2';
import { sourceDataError } from '../../src/ingest/fetch/index.js';
import { assertSafeXml, qualifiedName, type XmlNode } from './xml.js';

/**
 * Splits an XML text stream into its record elements without holding the document.
 * htmlparser2 (xmlMode, entities left alone) only finds where each record element starts and
 * ends; each record's text is then parsed alone by the same safe parser as whole documents
 * (parseXml: entity guards, value rules), inside a wrapper that carries the namespace
 * declarations in scope and the document's DOCTYPE (`parseRecord`). Memory holds one record,
 * one chunk and, when asked, the skeleton: the document without its records (a feed's
 * channel-level parts).
 */
type Scope = Readonly<Record<string, string>>;

export interface XmlRecordText {
  /** The record element's name, as matched. */
  name: string;
  xml: string;
  /** The namespaces in scope around the record element. */
  scope: Scope;
  /** The document's DOCTYPE (its internal entities apply inside records too), or ''. */
  doctype: string;
}

export type XmlStreamEvent = ({ type: 'record' } & XmlRecordText) | { type: 'end'; skeleton: string; doctype: string };

export interface SplitOptions {
  /** Whether the element with these names from the root down (itself last) is a record. */
  isRecord(names: readonly string[]): boolean;
  /** Names are matched as the config addresses them (namespace aliases); without, as written. */
  aliases?: Readonly<Record<string, string>>;
  /** Also collect the document without its records, for the `end` event. */
  skeleton?: boolean;
}

const WRAPPER = 'gx-record-context';
const DOCTYPE = /<!DOCTYPE[^[>]*(?:\[[\s\S]*?\]\s*)?>/i;

function scopeWith(attributes: Record<string, string>, parent: Scope): Scope {
  let scope: Record<string, string> | undefined;
  for (const [name, uri] of Object.entries(attributes)) {
    if (name !== 'xmlns' && !name.startsWith('xmlns:')) continue;
    scope ??= { ...parent };
    scope[name === 'xmlns' ? '' : name.slice('xmlns:'.length)] = uri;
  }
  return scope ?? parent;
}

function declarations(scope: Scope): string {
  const quote = (uri: string) => uri.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return Object.entries(scope)
    .map(([prefix, uri]) => ` ${prefix === '' ? 'xmlns' : `xmlns:${prefix}`}="${quote(uri)}"`)
    .join('');
}

/** A record's text parsed as a document of its own: returns the wrapper's content, keyed by the record's name. */
export function parseRecord(record: XmlRecordText, parse: (text: string) => XmlNode): XmlNode {
  const parsed = parse(`${record.doctype}<${WRAPPER}${declarations(record.scope)}>${record.xml}</${WRAPPER}>`);
  return (Object.values(parsed)[0] ?? {}) as XmlNode;
}

function unclosed(element: string, atEnd: boolean): Error {
  return atEnd
    ? sourceDataError(`XML 文档不完整：${element} 未闭合`, `The XML document is truncated: ${element} is not closed`)
    : sourceDataError(`XML 格式错误：${element} 未闭合`, `Malformed XML: ${element} is not closed`);
}

/** The record elements in document order, then `end`. Fails on a document not closed or not well nested. */
export async function* splitXmlRecords(chunks: AsyncIterable<string>, options: SplitOptions): AsyncIterable<XmlStreamEvent> {
  const aliasOf = options.aliases ? new Map(Object.entries(options.aliases).map(([alias, uri]) => [uri, alias])) : undefined;
  const stack: Array<{ name: string; scope: Scope }> = [];
  const ready: XmlRecordText[] = [];
  let buffer = '';
  let bufferStart = 0;
  let skeleton = '';
  /** Everything before this index is in the skeleton or in a record already. */
  let skeletonUpTo = 0;
  let doctype: string | undefined;
  let open: { start: number; depth: number; scope: Scope } | undefined;
  let lastTagEnd = -1;
  let lastOpenEnd = -1;
  let ending = false;
  const text = (from: number, to: number) => buffer.slice(from - bufferStart, to - bufferStart);
  const parser = new Parser(
    {
      onopentag(rawName, attributes) {
        if (doctype === undefined) {
          // The prolog is still buffered (nothing is dropped before the root opens).
          const prolog = text(bufferStart, parser.startIndex);
          assertSafeXml(prolog);
          doctype = DOCTYPE.exec(prolog)?.[0] ?? '';
        }
        const parent = stack.at(-1)?.scope ?? {};
        const scope = aliasOf ? scopeWith(attributes, parent) : parent;
        stack.push({ name: aliasOf ? qualifiedName(rawName, false, scope, aliasOf) : rawName, scope });
        lastTagEnd = lastOpenEnd = parser.endIndex;
        if (!open && options.isRecord(stack.map((element) => element.name))) {
          if (options.skeleton) skeleton += text(skeletonUpTo, parser.startIndex);
          open = { start: parser.startIndex, depth: stack.length, scope: parent };
        }
      },
      onclosetag(name, isImplied) {
        // htmlparser2 calls a self-closing tag's close implied too. Any other close the document
        // did not write is an element left open at the end (truncated) or closed over by its
        // parent (malformed): either way the document is not whole.
        const selfClosing = parser.endIndex === lastOpenEnd && !ending;
        if (isImplied && !selfClosing) throw unclosed(stack.at(-1)?.name ?? name, ending);
        if (open && stack.length === open.depth) {
          const element = stack.at(-1)!.name;
          ready.push({ name: element, xml: text(open.start, parser.endIndex + 1), scope: open.scope, doctype: doctype ?? '' });
          skeletonUpTo = parser.endIndex + 1;
          open = undefined;
        }
        stack.pop();
        lastTagEnd = parser.endIndex;
      },
    },
    { xmlMode: true, decodeEntities: false },
  );
  for await (const chunk of chunks) {
    buffer += chunk;
    parser.write(chunk);
    for (const record of ready.splice(0)) yield { type: 'record', ...record };
    // Keep only what a record or a tag not yet complete may still need.
    const keepFrom = open ? open.start : doctype === undefined ? bufferStart : lastTagEnd + 1;
    if (keepFrom > bufferStart) {
      if (options.skeleton && !open && keepFrom > skeletonUpTo) {
        skeleton += text(Math.max(skeletonUpTo, bufferStart), keepFrom);
        skeletonUpTo = keepFrom;
      }
      buffer = buffer.slice(keepFrom - bufferStart);
      bufferStart = keepFrom;
    }
  }
  ending = true;
  parser.end();
  for (const record of ready.splice(0)) yield { type: 'record', ...record };
  if (doctype === undefined) throw sourceDataError('XML 文档没有根元素', 'The XML document has no root element');
  if (options.skeleton) skeleton += text(Math.max(skeletonUpTo, bufferStart), bufferStart + buffer.length);
  yield { type: 'end', skeleton, doctype };
}
