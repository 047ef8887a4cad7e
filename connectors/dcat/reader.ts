import type { ConnectorState, ReadContext, ReadEvent } from '../contract.js';
import { sourceDataError } from '../../src/ingest/fetch/index.js';
import { withAuth } from '../shared/auth.js';
import { decodeText } from '../shared/charset.js';
import { parseState, toRawRecord } from '../shared/records.js';
import { readCatalog } from './catalog.js';
import { dcatStateSchema, type DcatConfig } from './config.js';
import { turtleGraph } from './turtle.js';

const TURTLE_TYPES = /^(text\/turtle|application\/x-turtle|application\/n-triples|text\/n3)\b/i;

function isTurtle(config: DcatConfig, contentType: string | null, text: string): boolean {
  if (config.syntax !== 'auto') return config.syntax === 'turtle';
  if (contentType && TURTLE_TYPES.test(contentType.trim())) return true;
  return !/^\s*[[{]/u.test(text);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw sourceDataError('DCAT 目录不是有效的 JSON', 'The DCAT catalogue is not valid JSON', cause);
  }
}

/** Reads one catalogue document (bounded by the fetch size cap); each dataset is a record. */
export async function* readDcat(config: DcatConfig, state: ConnectorState | undefined, ctx: ReadContext): AsyncIterable<ReadEvent> {
  parseState(dcatStateSchema, state);
  const request = withAuth(config.url, { accept: 'application/ld+json, application/json;q=0.9, text/turtle;q=0.8', ...config.headers }, config.auth);
  const response = await ctx.fetch(request.url, { headers: request.headers, signal: ctx.signal });
  const contentType = response.headers.get('content-type');
  const text = decodeText(await response.bytes(), { configured: 'auto', contentType, fallback: 'utf-8' });
  const document = isTurtle(config, contentType, text) ? turtleGraph(text, config.url) : parseJson(text);
  for (const dataset of readCatalog(document, config.languages)) {
    yield { type: 'record', record: toRawRecord({ ...dataset }, config) };
  }
  yield { type: 'complete', state: {} };
}
