import { sourceDataError } from '../../src/ingest/fetch/index.js';
import { decodeEntities } from '../../src/ingest/mapping/index.js';
import { asArray, parseXml, textOf, type XmlNode } from '../shared/xml.js';
import { parseRecord, splitXmlRecords } from '../shared/xml-stream.js';

/**
 * RSS 2.0, RSS 1.0 (RDF) and Atom items, normalized to one shape. `element` keeps the item
 * as parsed, for mappings that need feed-specific elements (dc:*, custom namespaces).
 */
export interface FeedItem {
  id: string | undefined;
  title: string | undefined;
  link: string | undefined;
  links: { href: string; rel: string; type?: string; title?: string }[];
  summary: string | undefined;
  content: string | undefined;
  published: string | undefined;
  updated: string | undefined;
  author: string | undefined;
  categories: string[];
  enclosures: { url: string; type?: string; length?: string }[];
  element: XmlNode;
}

export interface FeedPage {
  format: 'rss' | 'atom' | 'rdf';
  items: FeedItem[];
  next: string | undefined;
  openSearch: { totalResults?: number; startIndex?: number; itemsPerPage?: number };
}

export const FEED_ARRAY_NAMES = new Set(['item', 'entry', 'link', 'atom:link', 'category', 'enclosure', 'author', 'dc:subject', 'atom10:link']);

export function parseFeedXml(text: string): XmlNode {
  return parseXml(text, { arrayNames: FEED_ARRAY_NAMES });
}

/** Titles are text; a second HTML-unescape undoes double escaping such as `&amp;#039;`. */
const plain = (value: unknown): string | undefined => {
  const text = textOf(value);
  return text === undefined ? undefined : decodeEntities(text).trim();
};

function attr(node: unknown, name: string): string | undefined {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const value = (node as XmlNode)[`@_${name}`];
  return value === undefined ? undefined : String(value);
}

function atomLinks(value: unknown): FeedItem['links'] {
  return asArray(value as unknown[])
    .filter((link): link is XmlNode => link !== null && typeof link === 'object' && attr(link, 'href') !== undefined)
    .map((link) => {
      const entry: FeedItem['links'][number] = { href: attr(link, 'href') as string, rel: attr(link, 'rel') ?? 'alternate' };
      const type = attr(link, 'type');
      const title = attr(link, 'title');
      if (type) entry.type = type;
      if (title) entry.title = title;
      return entry;
    });
}

function numberOf(value: unknown): number | undefined {
  const number = Number(textOf(value));
  return Number.isFinite(number) && textOf(value) !== undefined ? number : undefined;
}

function openSearchOf(container: XmlNode): FeedPage['openSearch'] {
  const result: FeedPage['openSearch'] = {};
  const total = numberOf(container['openSearch:totalResults']);
  const start = numberOf(container['openSearch:startIndex']);
  const perPage = numberOf(container['openSearch:itemsPerPage']);
  if (total !== undefined) result.totalResults = total;
  if (start !== undefined) result.startIndex = start;
  if (perPage !== undefined) result.itemsPerPage = perPage;
  return result;
}

function rssItem(element: XmlNode): FeedItem {
  const guid = textOf(element.guid);
  const link = textOf(element.link)?.trim();
  return {
    id: guid?.trim() || link,
    title: plain(element.title),
    link,
    links: atomLinks(element['atom:link']),
    summary: textOf(element.description),
    content: textOf(element['content:encoded']),
    published: textOf(element.pubDate) ?? textOf(element['dc:date']),
    updated: textOf(element['atom:updated']) ?? textOf(element['dc:modified']),
    author: plain(element.author) ?? plain(element['dc:creator']),
    categories: [...asArray(element.category), ...asArray(element['dc:subject'])].map(plain).filter((text): text is string => Boolean(text)),
    enclosures: asArray(element.enclosure)
      .map((enclosure) => ({ url: attr(enclosure, 'url') ?? '', type: attr(enclosure, 'type'), length: attr(enclosure, 'length') }))
      .filter((enclosure) => enclosure.url !== '')
      .map(({ url, type, length }) => ({ url, ...(type ? { type } : {}), ...(length ? { length } : {}) })),
    element,
  };
}

function atomEntry(element: XmlNode): FeedItem {
  const links = atomLinks(element.link);
  const alternate = links.find((link) => link.rel === 'alternate' && (!link.type || /html/.test(link.type))) ?? links.find((link) => link.rel === 'alternate');
  const author = asArray(element.author)[0];
  return {
    id: textOf(element.id)?.trim(),
    title: plain(element.title),
    link: alternate?.href,
    links,
    summary: textOf(element.summary),
    content: textOf(element.content),
    published: textOf(element.published) ?? textOf(element.issued),
    updated: textOf(element.updated) ?? textOf(element.modified),
    author: author && typeof author === 'object' ? plain((author as XmlNode).name) || undefined : plain(author),
    categories: asArray(element.category)
      .map((category) => attr(category, 'term') ?? plain(category))
      .filter((text): text is string => Boolean(text)),
    enclosures: links.filter((link) => link.rel === 'enclosure').map((link) => ({ url: link.href, ...(link.type ? { type: link.type } : {}) })),
    element,
  };
}

export function readFeedDocument(document: XmlNode): FeedPage {
  const rss = document.rss as XmlNode | undefined;
  if (rss && typeof rss === 'object') {
    const channel = (asArray(rss.channel as XmlNode)[0] ?? {}) as XmlNode;
    const links = atomLinks(channel['atom:link']).concat(atomLinks(channel['atom10:link']));
    return {
      format: 'rss',
      items: asArray(channel.item as XmlNode[]).map(rssItem),
      next: links.find((link) => link.rel === 'next')?.href,
      openSearch: openSearchOf(channel),
    };
  }
  const feed = document.feed as XmlNode | undefined;
  if (feed && typeof feed === 'object') {
    return {
      format: 'atom',
      items: asArray(feed.entry as XmlNode[]).map(atomEntry),
      next: atomLinks(feed.link).find((link) => link.rel === 'next')?.href,
      openSearch: openSearchOf(feed),
    };
  }
  const rdf = document['rdf:RDF'] as XmlNode | undefined;
  if (rdf && typeof rdf === 'object') {
    return { format: 'rdf', items: asArray(rdf.item as XmlNode[]).map(rssItem), next: undefined, openSearch: {} };
  }
  throw sourceDataError('不是 RSS 或 Atom 文档', 'Not an RSS or Atom document');
}

/** Where items sit: RSS 2.0 channel items, Atom entries, RSS 1.0 (RDF) items. */
function isFeedItem(names: readonly string[]): boolean {
  const path = names.join('>');
  return path === 'rss>channel>item' || path === 'feed>entry' || path === 'rdf:RDF>item';
}

/** What a page says besides its items: its kind, the next page, OpenSearch counts. */
export type FeedPageInfo = Omit<FeedPage, 'items'> & { itemCount: number };

export type FeedStreamEvent = { type: 'item'; item: FeedItem } | { type: 'page'; page: FeedPageInfo };

/**
 * A feed document streamed: each item as soon as it has been read (one item in memory at a
 * time), then the page's channel-level parts, read from the document without its items.
 */
export async function* streamFeed(text: AsyncIterable<string>): AsyncIterable<FeedStreamEvent> {
  let itemCount = 0;
  for await (const event of splitXmlRecords(text, { isRecord: isFeedItem, skeleton: true })) {
    if (event.type === 'record') {
      itemCount += 1;
      const element = (asArray(parseRecord(event, parseFeedXml)[event.name] as XmlNode | XmlNode[])[0] ?? {}) as XmlNode;
      yield { type: 'item', item: event.name === 'entry' ? atomEntry(element) : rssItem(element) };
    } else {
      const { items: _none, ...page } = readFeedDocument(parseFeedXml(event.skeleton));
      yield { type: 'page', page: { ...page, itemCount } };
    }
  }
}
