import iconv from 'iconv-lite';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, fixture, realSample, startLocalServer, testReadContext, type Handler, type LocalServer } from '../testing/index.js';
import { rssConfigSchema, rssConnector } from './index.js';
import { decodeXml } from '../shared/xml.js';
import { parseFeedXml, readFeedDocument, streamFeed, type FeedItem } from './feed.js';

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
async function serve(handler: Handler): Promise<LocalServer> {
  const server = await startLocalServer(handler);
  servers.push(server);
  return server;
}
const serveBody = (body: Uint8Array | string, type: string) =>
  serve((_req, res) => {
    res.setHeader('content-type', type);
    res.end(body);
  });

const newsMapping = {
  kind: 'POLICY',
  constants: { department: 'health' },
  fields: [
    { target: 'title', source: 'title' },
    { target: 'summary', source: 'summary', transforms: [{ op: 'html', output: 'text' }] },
    { target: 'publishedAt', source: ['published', 'updated'], transforms: [{ op: 'date' }] },
    { target: 'sourceUrl', source: 'id' },
    { target: 'tags', source: 'categories' },
  ],
};
const config = (input: Record<string, unknown>) => rssConfigSchema.parse({ mapping: newsMapping, ...input });

describe('rss connector on real samples', () => {
  it('reads the health.gov.au feed: guid as key, double-escaped entities, RFC 822 dates', async () => {
    const sample = realSample('rss-health.gov.au-latest-news.xml');
    if (!sample) return;
    const server = await serveBody(sample, 'application/rss+xml');
    const cfg = config({ url: `${server.url}/news/rss.xml` });
    const result = await collect(rssConnector.read(cfg, undefined, testReadContext()));
    expect(result.records).toHaveLength(20);
    expect(result.events.at(-1)).toBe('complete');
    expect(result.records[0]?.sourceId).toBe('https://www.health.gov.au/news/changes-to-hotspots-for-commonwealth-support-in-cairns-yarrabah-dubbo-and-melbourne');
    expect(result.records.every((record) => !record.sourceId.includes('utm_'))).toBe(true);
    const doherty = result.records.find((record) => String(record.data.title).startsWith('Release of the Doherty'));
    expect(doherty?.data.title).toContain("Australia's National COVID Response");
    expect(doherty?.data.author).toBeTruthy();
    const mapped = result.records.map((record) => rssConnector.map(record, cfg));
    expect(mapped.every((entry) => entry.ok)).toBe(true);
    const texts = mapped.map((entry) => (entry.ok && 'summary' in entry.record ? String(entry.record.summary) : ''));
    expect(texts.some((text) => text.includes("you've been asking"))).toBe(true);
    expect(texts.join('')).not.toContain('&#039;');
    const first = mapped[0];
    expect(first?.ok && 'publishedAt' in first.record && (first.record.publishedAt as Date).toISOString()).toMatch(/^2021-08-1\dT/);
  });

  it('decodes an ISO-8859-1 feed without a prolog, from the HTTP charset or a configured fallback', async () => {
    const sample = realSample('rss-encoding-quirk-no-prolog-iso-8859-1-lecerclepsy.xml');
    if (!sample) return;
    const withHeader = await serveBody(sample, 'application/xml; charset=ISO-8859-1');
    const a = await collect(rssConnector.read(config({ url: `${withHeader.url}/rss` }), undefined, testReadContext()));
    expect(a.records).toHaveLength(10);
    expect(a.records.map((record) => record.data.title).join(' ')).toContain('Masters en Psycho');
    expect(a.records.map((record) => String(record.data.title)).some((title) => /[éèàç]/.test(title))).toBe(true);
    const sniffed = await serveBody(sample, 'application/xml');
    const b = await collect(rssConnector.read(config({ url: `${sniffed.url}/rss`, fallbackEncoding: 'windows-1252' }), undefined, testReadContext()));
    expect(b.records.map((record) => record.data.title)).toEqual(a.records.map((record) => record.data.title));
  });

  it('follows the Atom next link (OpenSearch) across pages with checkpoints', async () => {
    const sample = realSample('atom-legislation.gov.uk-latest-data.feed.xml');
    if (!sample) return;
    const page2 = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><id>p2</id><entry><id>http://www.legislation.gov.uk/id/uksi/2015/1999</id><title>Page two</title><updated>2015-12-01T00:00:00Z</updated></entry></feed>`;
    const server = await serve((_req, res, url) => {
      res.setHeader('content-type', 'application/atom+xml');
      if (url.searchParams.get('page') === '2') res.end(page2);
      else res.end(sample.toString('utf8').replaceAll('http://legislation.data.gov.uk/all/data.feed', `http://127.0.0.1:${new URL(server.url).port}/all/data.feed`));
    });
    const cfg = config({ url: `${server.url}/all/data.feed?sort=published` });
    const result = await collect(rssConnector.read(cfg, undefined, testReadContext()));
    expect(result.records).toHaveLength(9);
    expect(result.records[0]?.sourceId).toBe('http://www.legislation.gov.uk/id/uksi/2015/2028');
    expect(result.records[0]?.data.link).toBe('http://www.legislation.gov.uk/uksi/2015/2028/made');
    expect((result.records[0]?.data.links as unknown[]).length).toBeGreaterThan(4);
    expect(result.checkpoints).toEqual([{ resume: { url: `${server.url}/all/data.feed?sort=published&page=2` } }]);
    expect(result.events.at(-1)).toBe('complete');
    expect(rssConnector.map(result.records[0]!, cfg)).toMatchObject({ ok: true });
  });
});

describe('rss quirks', () => {
  it('decodes a feed that declares gb2312 but holds GBK-only characters, as GB18030', async () => {
    const xml = '<?xml version="1.0" encoding="gb2312"?><rss version="2.0"><channel><item><guid>001</guid><title>朱镕基同志纪念展·喆</title></item></channel></rss>';
    const server = await serveBody(iconv.encode(xml, 'gb18030'), 'text/xml');
    const result = await collect(rssConnector.read(config({ url: `${server.url}/gb.xml` }), undefined, testReadContext()));
    expect(result.records[0]).toMatchObject({ sourceId: '001', data: { title: '朱镕基同志纪念展·喆' } });
  });

  it('keeps CDATA HTML for the mapping to sanitize, and reads CST as China time', async () => {
    const server = await serveBody(fixture(import.meta.url, 'culture-events-cdata.xml'), 'application/rss+xml; charset=utf-8');
    const cfg = rssConfigSchema.parse({
      url: `${server.url}/events.xml`,
      mapping: {
        kind: 'EVENT',
        constants: { department: 'culture' },
        fields: [
          { target: 'title', source: 'title' },
          { target: 'body', source: 'summary', transforms: [{ op: 'html' }] },
          { target: 'startsAt', source: 'summary', transforms: [{ op: 'html', output: 'text' }, { op: 'regex', pattern: '时间：([^\\n]+)' }, { op: 'date' }] },
          { target: 'organizer', source: 'author' },
          { target: 'categories', source: 'categories' },
          { target: 'sourceUrl', source: 'link' },
        ],
      },
    });
    const [record] = (await collect(rssConnector.read(cfg, undefined, testReadContext()))).records;
    expect(record?.sourceId).toBe('0008801');
    expect(record?.data.published).toBe('Mon, 13 May 2024 09:00:00 CST');
    const mapped = rssConnector.map(record!, cfg);
    expect(mapped).toMatchObject({
      ok: true,
      record: { title: '“百姓大舞台”周末专场 & 非遗展示', body: '<p>时间：2024年5月18日 19:30<br />地点：区文化馆剧场</p>', organizer: '区文化馆', categories: ['群众文化', '非遗'] },
    });
    expect(mapped.ok && 'startsAt' in mapped.record && (mapped.record.startsAt as Date).toISOString()).toBe('2024-05-18T11:30:00.000Z');
  });

  it('pages by OpenSearch start index when configured', async () => {
    const server = await serve((_req, res, url) => {
      const start = Number(url.searchParams.get('start') ?? '1');
      const items = [start, start + 1].filter((n) => n <= 5).map((n) => `<item><guid>${n}</guid><title>t${n}</title></item>`).join('');
      res.end(`<rss version="2.0" xmlns:openSearch="http://a9.com/-/spec/opensearch/1.1/"><channel><openSearch:totalResults>5</openSearch:totalResults><openSearch:startIndex>${start}</openSearch:startIndex><openSearch:itemsPerPage>2</openSearch:itemsPerPage>${items}</channel></rss>`);
    });
    const result = await collect(rssConnector.read(config({ url: `${server.url}/s`, openSearch: { startParam: 'start' } }), undefined, testReadContext()));
    expect(result.records.map((record) => record.sourceId)).toEqual(['1', '2', '3', '4', '5']);
    expect(server.requests).toEqual(['/s', '/s?start=3', '/s?start=5']);
  });

  it.each(['billion-laughs.xml', 'xxe.xml'])('refuses %s as unsafe content', async (name) => {
    const server = await serveBody(fixture(import.meta.url, name), 'application/xml');
    const started = Date.now();
    await expect(collect(rssConnector.read(config({ url: `${server.url}/x` }), undefined, testReadContext()))).rejects.toMatchObject({
      errorClass: 'source_data',
      code: 'UNSAFE_CONTENT',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('streams the same items and page parts a whole-document read gives, from chunks of any size', async () => {
    const documents = [
      realSample('rss-health.gov.au-latest-news.xml'),
      realSample('atom-legislation.gov.uk-latest-data.feed.xml'),
      realSample('rss-encoding-quirk-no-prolog-iso-8859-1-lecerclepsy.xml'),
      fixture(import.meta.url, 'culture-events-cdata.xml'),
      Buffer.from('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel><title>c</title></channel><item><title>甲</title><link>https://a.example/1</link></item><item><title>乙&amp;amp;丙</title><link>https://a.example/2</link></item></rdf:RDF>'),
    ];
    for (const bytes of documents) {
      if (!bytes) continue;
      const text = decodeXml(bytes, { configured: 'auto', fallback: 'windows-1252' });
      const { items, ...page } = readFeedDocument(parseFeedXml(text));
      expect(items.length).toBeGreaterThan(0);
      for (const size of [7, 1000, text.length]) {
        async function* chunks() {
          for (let at = 0; at < text.length; at += size) yield text.slice(at, at + size);
        }
        const streamed: FeedItem[] = [];
        let streamedPage: unknown;
        for await (const event of streamFeed(chunks())) {
          if (event.type === 'item') streamed.push(event.item);
          else streamedPage = event.page;
        }
        expect(streamed).toEqual(items);
        expect(streamedPage).toEqual({ ...page, itemCount: items.length });
      }
    }
  });

  it('fails a feed cut short, after the items before the cut', async () => {
    const server = await serveBody('<rss version="2.0"><channel><item><guid>1</guid></item><item><guid>2</guid></item><item><guid>3</gu', 'application/rss+xml');
    const seen: string[] = [];
    const read = async () => {
      for await (const event of rssConnector.read(config({ url: `${server.url}/x` }), undefined, testReadContext())) seen.push(event.type === 'record' ? event.record.sourceId : event.type);
    };
    await expect(read()).rejects.toMatchObject({ errorClass: 'source_data', message: expect.stringContaining('truncated') });
    expect(seen).toEqual(['1', '2']);
  });

  it('rejects HTML that is not a feed', async () => {
    const server = await serveBody('<html><body>维护中</body></html>', 'text/html');
    await expect(collect(rssConnector.read(config({ url: `${server.url}/x` }), undefined, testReadContext()))).rejects.toMatchObject({ errorClass: 'source_data' });
  });
});

describe('rss bad config and bad state', () => {
  it('rejects the bad config fixture', () => {
    const result = rssConfigSchema.safeParse(JSON.parse(fixture(import.meta.url, 'bad-config.json').toString()));
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(expect.arrayContaining(['url', 'fallbackEncoding', 'maxPages', 'mapping.kind']));
  });
  it('rejects the bad state fixture', async () => {
    const state = JSON.parse(fixture(import.meta.url, 'bad-state.json').toString()) as Record<string, unknown>;
    await expect(collect(rssConnector.read(config({ url: 'http://127.0.0.1:9/x' }), state, testReadContext()))).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
