import type { ConnectorState, ReadContext, ReadEvent } from '../contract.js';
import { sourceDataError } from '../../src/ingest/fetch/index.js';
import { withAuth } from '../shared/auth.js';
import { decodeText } from '../shared/charset.js';
import { parseState, toRawRecord } from '../shared/records.js';
import { readCatalog } from './catalog.js';
import { dcatStateSchema, type DcatConfig } from './config.js';

/** Reads one catalogue document (bounded by the fetch size cap); each dataset is a record. */
export async function* readDcat(config: DcatConfig, state: ConnectorState | undefined, ctx: ReadContext): AsyncIterable<ReadEvent> {
  parseState(dcatStateSchema, state);
  const request = withAuth(config.url, { accept: 'application/ld+json, application/json;q=0.9', ...config.headers }, config.auth);
  const response = await ctx.fetch(request.url, { headers: request.headers, signal: ctx.signal });
  const text = decodeText(await response.bytes(), { configured: 'auto', contentType: response.headers.get('content-type'), fallback: 'utf-8' });
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw sourceDataError('DCAT 目录不是有效的 JSON（Turtle 等格式请先转换为 JSON-LD）', 'The DCAT catalogue is not valid JSON (convert Turtle and other RDF to JSON-LD first)', cause);
  }
  for (const dataset of readCatalog(document, config.languages)) {
    yield { type: 'record', record: toRawRecord({ ...dataset }, config) };
  }
  yield { type: 'complete', state: {} };
}
