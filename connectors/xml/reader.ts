import type { ConnectorState, ReadContext, ReadEvent } from '../contract.js';
import { sourceDataError } from '../../src/ingest/fetch/index.js';
import { getPath, parsePath } from '../../src/ingest/mapping/index.js';
import { withAuth } from '../shared/auth.js';
import { parseState, toRawRecord } from '../shared/records.js';
import { asArray, decodeXml, parseXml, resolveNamespaces, type XmlNode } from '../shared/xml.js';
import { xmlStateSchema, type XmlConfig } from './config.js';

/** Reads one XML document (bounded by the fetch size cap) and yields the elements at recordPath. */
export async function* readXml(config: XmlConfig, state: ConnectorState | undefined, ctx: ReadContext): AsyncIterable<ReadEvent> {
  parseState(xmlStateSchema, state);
  const request = withAuth(config.url, { accept: 'application/xml, text/xml, */*;q=0.5', ...config.headers }, config.auth);
  const response = await ctx.fetch(request.url, { headers: request.headers, signal: ctx.signal });
  const text = decodeXml(await response.bytes(), { configured: config.encoding, contentType: response.headers.get('content-type'), fallback: config.fallbackEncoding });
  const document = resolveNamespaces(parseXml(text), config.namespaces);
  const found = getPath(document, parsePath(config.recordPath));
  if (found === undefined) {
    throw sourceDataError(`文档中没有记录路径 ${config.recordPath}`, `The document has nothing at record path ${config.recordPath}`);
  }
  for (const element of asArray(found as XmlNode | XmlNode[])) {
    const data = element !== null && typeof element === 'object' ? (element as XmlNode) : { '#text': element };
    yield { type: 'record', record: toRawRecord(data, config) };
  }
  yield { type: 'complete', state: {} };
}
