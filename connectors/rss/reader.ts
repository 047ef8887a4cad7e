import type { ConnectorState, ReadContext, ReadEvent } from '../contract.js';
import { sourceDataError } from '../../src/ingest/fetch/index.js';
import { withAuth } from '../shared/auth.js';
import { decodeTextStream } from '../shared/charset.js';
import { parseState, toRawRecord } from '../shared/records.js';
import { declaredXmlEncoding } from '../shared/xml.js';
import { rssStateSchema, type RssConfig } from './config.js';
import { streamFeed, type FeedItem, type FeedPageInfo, type FeedStreamEvent } from './feed.js';

/** Pages of a feed, each streamed item by item (feed.ts), following `rel="next"` and OpenSearch. */
export async function* readRss(config: RssConfig, state: ConnectorState | undefined, ctx: ReadContext): AsyncIterable<ReadEvent> {
  let url: string | undefined = parseState(rssStateSchema, state).resume?.url ?? config.url;
  const visited = new Set<string>();
  for (let pages = 1; url; pages++) {
    visited.add(url);
    let page: FeedPageInfo | undefined;
    for await (const event of fetchFeedPage(config, url, ctx)) {
      if (event.type === 'item') yield { type: 'record', record: itemRecord(event.item, config) };
      else page = event.page;
    }
    const next: string | undefined = page && nextPageUrl(config, url, page);
    if (!next || visited.has(next)) break;
    if (pages >= config.maxPages) {
      throw sourceDataError(`超过最大页数 ${config.maxPages}`, `More than ${config.maxPages} pages`);
    }
    yield { type: 'checkpoint', state: { resume: { url: next } } };
    url = next;
  }
  yield { type: 'complete', state: {} };
}

async function* fetchFeedPage(config: RssConfig, url: string, ctx: ReadContext): AsyncIterable<FeedStreamEvent> {
  const request = withAuth(url, { accept: 'application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5', ...config.headers }, config.auth);
  const response = await ctx.fetch(request.url, { headers: request.headers, signal: ctx.signal });
  const hints = { configured: config.encoding, contentType: response.headers.get('content-type'), fallback: config.fallbackEncoding };
  yield* streamFeed(decodeTextStream(response.stream(), hints, declaredXmlEncoding));
}

function itemRecord(item: FeedItem, config: RssConfig) {
  const { element, ...fields } = item;
  const data: Record<string, unknown> = { ...fields, element };
  return toRawRecord(data, { idPath: config.idPath ?? 'id', cursorPath: config.cursorPath });
}

function nextPageUrl(config: RssConfig, current: string, page: FeedPageInfo): string | undefined {
  if (page.next) return new URL(page.next, current).href;
  const { startParam } = config.openSearch;
  const { totalResults, startIndex, itemsPerPage } = page.openSearch;
  if (!startParam || totalResults === undefined || page.itemCount === 0) return undefined;
  const perPage = itemsPerPage ?? page.itemCount;
  const nextStart = (startIndex ?? 1) + perPage;
  if (nextStart > totalResults) return undefined;
  const url = new URL(current);
  url.searchParams.set(startParam, String(nextStart));
  return url.href;
}

