import { Parser } from 'htmlparser2';
import { sourceDataError } from '../../src/ingest/fetch/index.js';
import { assertSafeXml, parseXml, qualifiedName, resolveNamespaces, type XmlNode } from '../shared/xml.js';

/**
 * Streams the elements at a plain record path (`root.list.item`) out of an XML text stream.
 * htmlparser2 (xmlMode, entities left alone) only finds where each record element starts and
 * ends; each record's text is then parsed on its own by the same safe parser as whole documents
 * (parseXml: entity guards, value rules), inside a wrapper that carries the namespace
 * declarations in scope and the document's DOCTYPE. Memory holds one record and one chunk.
 */
type Scope = Readonly<Record<string, string>>;

interface RecordText {
  xml: string;
  /** The namespaces in scope around the record element. */
  scope: Scope;
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

function parseRecord(record: RecordText, doctype: string, name: string, aliases: Readonly<Record<string, string>>): XmlNode {
  const resolved = resolveNamespaces(parseXml(`${doctype}<${WRAPPER}${declarations(record.scope)}>${record.xml}</${WRAPPER}>`), aliases);
  const wrapper = Object.values(resolved)[0] as XmlNode;
  const element = wrapper[name];
  return element !== null && typeof element === 'object' ? (element as XmlNode) : { '#text': element };
}

/** The elements at `path` (resolved names from the root), in document order. */
export async function* streamRecordElements(
  chunks: AsyncIterable<string>,
  path: readonly string[],
  aliases: Readonly<Record<string, string>>,
): AsyncIterable<XmlNode> {
  const aliasOf = new Map(Object.entries(aliases).map(([alias, uri]) => [uri, alias]));
  const stack: Array<{ name: string; scope: Scope }> = [];
  const ready: RecordText[] = [];
  let buffer = '';
  let bufferStart = 0;
  let doctype: string | undefined;
  let open: { start: number; depth: number; scope: Scope } | undefined;
  let lastTagEnd = -1;
  let lastOpenEnd = -1;
  const parser = new Parser(
    {
      onopentag(rawName, attributes) {
        if (doctype === undefined) {
          // The prolog is still buffered (nothing is dropped before the root opens).
          const prolog = buffer.slice(0, parser.startIndex - bufferStart);
          assertSafeXml(prolog);
          doctype = DOCTYPE.exec(prolog)?.[0] ?? '';
        }
        const parent = stack.at(-1)?.scope ?? {};
        const scope = scopeWith(attributes, parent);
        stack.push({ name: qualifiedName(rawName, false, scope, aliasOf), scope });
        lastTagEnd = parser.endIndex;
        lastOpenEnd = parser.endIndex;
        if (!open && stack.length === path.length && stack.every((element, i) => element.name === path[i])) {
          open = { start: parser.startIndex, depth: stack.length, scope: parent };
        }
      },
      onclosetag(_name, isImplied) {
        // htmlparser2 calls a self-closing tag's close implied too. Any other close the document
        // did not write is an element left open at the end (truncated) or closed over by its
        // parent (malformed): either way the document is not whole.
        const selfClosing = parser.endIndex === lastOpenEnd && !ending;
        if (isImplied && !selfClosing) throw unclosed(stack.at(-1)?.name ?? _name, ending);
        if (open && stack.length === open.depth) {
          ready.push({ xml: buffer.slice(open.start - bufferStart, parser.endIndex + 1 - bufferStart), scope: open.scope });
          open = undefined;
        }
        stack.pop();
        lastTagEnd = parser.endIndex;
      },
    },
    { xmlMode: true, decodeEntities: false },
  );
  const name = path.at(-1) ?? '';
  let ending = false;
  for await (const chunk of chunks) {
    buffer += chunk;
    parser.write(chunk);
    for (const record of ready.splice(0)) yield parseRecord(record, doctype ?? '', name, aliases);
    // Keep only what a record or a tag not yet complete may still need.
    const keepFrom = open ? open.start : doctype === undefined ? bufferStart : lastTagEnd + 1;
    if (keepFrom > bufferStart) {
      buffer = buffer.slice(keepFrom - bufferStart);
      bufferStart = keepFrom;
    }
  }
  ending = true;
  parser.end();
  for (const record of ready.splice(0)) yield parseRecord(record, doctype ?? '', name, aliases);
  if (doctype === undefined) throw sourceDataError('XML 文档没有根元素', 'The XML document has no root element');
}

function unclosed(element: string, atEnd: boolean): Error {
  return atEnd
    ? sourceDataError(`XML 文档不完整：${element} 未闭合`, `The XML document is truncated: ${element} is not closed`)
    : sourceDataError(`XML 格式错误：${element} 未闭合`, `Malformed XML: ${element} is not closed`);
}
