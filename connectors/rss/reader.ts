import type { ConnectorState, ReadContext, ReadEvent } from '../contract.js';
import { sourceDataError } from '../../src/ingest/fetch/index.js';
import { withAuth } from '../shared/auth.js';
import { parseState, toRawRecord } from '../shared/records.js';
import { decodeXml, parseXml } from '../shared/xml.js';
import { rssStateSchema, type RssConfig } from './config.js';
import { FEED_ARRAY_NAMES, readFeedDocument, type FeedItem, type FeedPage } from './feed.js';

export async function* readRss(config: RssConfig, state: ConnectorState | undefined, ctx: ReadContext): AsyncIterable<ReadEvent> {
  let url: string | undefined = parseState(rssStateSchema, state).resume?.url ?? config.url;
  const visited = new Set<string>();
  for (let pages = 1; url; pages++) {
    visited.add(url);
    const page = await fetchFeedPage(config, url, ctx);
    for (const item of page.items) yield { type: 'record', record: itemRecord(item, config) };
    const next = nextPageUrl(config, url, page);
    if (!next || visited.has(next)) break;
    if (pages >= config.maxPages) {
      throw sourceDataError(`超过最大页数 ${config.maxPages}`, `More than ${config.maxPages} pages`);
    }
    yield { type: 'checkpoint', state: { resume: { url: next } } };
    url = next;
  }
  yield { type: 'complete', state: {} };
}

async function fetchFeedPage(config: RssConfig, url: string, ctx: ReadContext): Promise<FeedPage> {
  const request = withAuth(url, { accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5', ...config.headers }, config.auth);
  const response = await ctx.fetch(request.url, { headers: request.headers, signal: ctx.signal });
  const text = decodeXml(await response.bytes(), {
    configured: config.encoding,
    contentType: response.headers.get('content-type'),
    fallback: config.fallbackEncoding,
  });
  return readFeedDocument(parseXml(text, { arrayNames: FEED_ARRAY_NAMES }));
}

function itemRecord(item: FeedItem, config: RssConfig) {
  const { element, ...fields } = item;
  const data: Record<string, unknown> = { ...fields, element };
  return toRawRecord(data, { idPath: config.idPath ?? 'id', cursorPath: config.cursorPath });
}

function nextPageUrl(config: RssConfig, current: string, page: FeedPage): string | undefined {
  if (page.next) return new URL(page.next, current).href;
  const { startParam } = config.openSearch;
  const { totalResults, startIndex, itemsPerPage } = page.openSearch;
  if (!startParam || totalResults === undefined || page.items.length === 0) return undefined;
  const perPage = itemsPerPage ?? page.items.length;
  const nextStart = (startIndex ?? 1) + perPage;
  if (nextStart > totalResults) return undefined;
  const url = new URL(current);
  url.searchParams.set(startParam, String(nextStart));
  return url.href;
}

