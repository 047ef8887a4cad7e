import type { ConnectorState, ReadContext, ReadEvent } from '../contract.js';
import { sourceDataError } from '../../src/ingest/fetch/index.js';
import { getPath, parsePath } from '../../src/ingest/mapping/index.js';
import { withAuth } from '../shared/auth.js';
import { parseState, toRawRecord } from '../shared/records.js';
import { decodeTextStream } from '../shared/charset.js';
import { asArray, declaredXmlEncoding, decodeXml, parseXml, resolveNamespaces, type XmlNode } from '../shared/xml.js';
import { parseRecord, splitXmlRecords } from '../shared/xml-stream.js';
import { xmlStateSchema, type XmlConfig } from './config.js';

function asRecord(element: unknown): XmlNode {
  return element !== null && typeof element === 'object' ? (element as XmlNode) : { '#text': element };
}

function nothingAt(recordPath: string): Error {
  return sourceDataError(`文档中没有记录路径 ${recordPath}`, `The document has nothing at record path ${recordPath}`);
}

/** A record path of element names only (no index, no wildcard) can be followed while the document streams. */
function plainPath(recordPath: string): string[] | undefined {
  const segments = parsePath(recordPath);
  return segments.every((segment): segment is string => typeof segment === 'string' && segment !== '*') ? segments : undefined;
}

/** The elements at a plain path, streamed: one record in memory at a time (shared/xml-stream.ts). */
export async function* streamElements(text: AsyncIterable<string>, path: readonly string[], aliases: Readonly<Record<string, string>>): AsyncIterable<XmlNode> {
  const isRecord = (names: readonly string[]) => names.length === path.length && names.every((name, i) => name === path[i]);
  for await (const event of splitXmlRecords(text, { isRecord, aliases })) {
    if (event.type !== 'record') continue;
    yield asRecord(parseRecord(event, (xml) => resolveNamespaces(parseXml(xml), aliases))[event.name]);
  }
}

/**
 * Yields the elements at recordPath. A plain element path streams; a path with indexes or
 * wildcards reads the whole document, bounded by the fetch size cap.
 */
export async function* readXml(config: XmlConfig, state: ConnectorState | undefined, ctx: ReadContext): AsyncIterable<ReadEvent> {
  parseState(xmlStateSchema, state);
  const request = withAuth(config.url, { accept: 'application/xml, text/xml, */*;q=0.5', ...config.headers }, config.auth);
  const response = await ctx.fetch(request.url, { headers: request.headers, signal: ctx.signal });
  const hints = { configured: config.encoding, contentType: response.headers.get('content-type'), fallback: config.fallbackEncoding };
  const path = plainPath(config.recordPath);
  if (path) {
    let found = 0;
    for await (const element of streamElements(decodeTextStream(response.stream(), hints, declaredXmlEncoding), path, config.namespaces)) {
      found += 1;
      yield { type: 'record', record: toRawRecord(element, config) };
    }
    if (found === 0) throw nothingAt(config.recordPath);
  } else {
    const document = resolveNamespaces(parseXml(decodeXml(await response.bytes(), hints)), config.namespaces);
    const found = getPath(document, parsePath(config.recordPath));
    if (found === undefined) throw nothingAt(config.recordPath);
    for (const element of asArray(found as XmlNode | XmlNode[])) yield { type: 'record', record: toRawRecord(asRecord(element), config) };
  }
  yield { type: 'complete', state: {} };
}
