import { afterEach, describe, expect, it } from 'vitest';
import { IngestError } from '../../src/ingest/fetch/index.js';
import { collect, fixture, realSample, startLocalServer, testReadContext, type Handler, type LocalServer } from '../testing/index.js';
import { restConnector, restConfigSchema } from './index.js';

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
async function serve(handler: Handler): Promise<LocalServer> {
  const server = await startLocalServer(handler);
  servers.push(server);
  return server;
}
const json = (value: unknown) => JSON.parse(fixture(import.meta.url, String(value)).toString('utf8')) as Record<string, unknown>;
const minimalMapping = { kind: 'POLICY', constants: { department: 'justice' }, fields: [{ target: 'title', source: 'name' }] };

function config(input: Record<string, unknown>) {
  return restConfigSchema.parse({ mapping: minimalMapping, ...input });
}

describe('rest connector on real samples', () => {
  it('reads the gov.cn policy search envelope (records under catMap.<category>.listVO) and maps it', async (t) => {
    const sample = realSample('rest-govcn-policy-search-fixture.json');
    if (!sample) return t.skip();
    const server = await serve((_req, res) => {
      res.setHeader('content-type', 'application/json;charset=utf-8');
      res.end(sample);
    });
    const cfg = config({
      url: `${server.url}/search-gov/data?t=zhengcelibrary_gw_bm_gb`,
      recordsPath: ['searchVO.catMap.gongwen.listVO', 'searchVO.catMap.bumenfile.listVO'],
      idPath: 'id',
      pagination: { type: 'page', pageParam: 'p', sizeParam: 'n', pageSize: 5 },
      mapping: json('govcn-policy-mapping.json'),
    });
    const result = await collect(restConnector.read(cfg, undefined, testReadContext()));
    expect(server.requests).toEqual(['/search-gov/data?t=zhengcelibrary_gw_bm_gb&p=1&n=5']);
    expect(result.records.map((record) => record.sourceId)).toEqual(['26391409', '26392212']);
    expect(result.events.at(-1)).toBe('complete');
    const mapped = result.records.map((record) => restConnector.map(record, cfg));
    expect(mapped[0]).toMatchObject({
      ok: true,
      record: { kind: 'POLICY', docNumber: '国函〔2026〕80号', issuers: ['国务院'], theme: '文化、广电、新闻出版', tags: ['文化', '广电', '新闻出版', '文化'] },
    });
    expect(mapped[1]).toMatchObject({ ok: true, record: { issuers: ['交通运输部', '国家铁路局'], title: '综合运输服务发展规划' } });
    expect(mapped[1]).not.toHaveProperty('record.summary');
  });

  it('pages the data.taipei zoo API by offset/limit until the envelope count (272) is reached', async (t) => {
    const sample = realSample('rest-datataipei-zoo-animals-page1.json');
    if (!sample) return t.skip();
    const page1 = JSON.parse(sample.toString('utf8')) as { result: { count: number; results: Record<string, unknown>[] } };
    const template = page1.result.results[0] as Record<string, unknown>;
    const server = await serve((_req, res, url) => {
      const offset = Number(url.searchParams.get('offset'));
      const limit = Number(url.searchParams.get('limit'));
      const ids = Array.from({ length: Math.max(0, Math.min(limit, 272 - offset)) }, (_, i) => offset + i + 1);
      const results = offset === 0 ? [template, ...ids.slice(1).map((id) => ({ ...template, _id: id }))] : ids.map((id) => ({ ...template, _id: id }));
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ result: { limit, offset, count: page1.result.count, sort: '', results } }));
    });
    const cfg = config({
      url: `${server.url}/api/v1/dataset/a3e2b221?scope=resourceAquire`,
      recordsPath: 'result.results',
      idPath: '_id',
      pagination: { type: 'offset', limit: 60, totalPath: 'result.count' },
      mapping: json('zoo-event-mapping.json'),
    });
    const result = await collect(restConnector.read(cfg, undefined, testReadContext()));
    expect(result.records).toHaveLength(272);
    expect(new Set(result.records.map((record) => record.sourceId)).size).toBe(272);
    expect(server.requests).toHaveLength(5);
    expect(result.checkpoints).toEqual([{ resume: { offset: 60 } }, { resume: { offset: 120 } }, { resume: { offset: 180 } }, { resume: { offset: 240 } }]);
    expect(result.complete).toEqual({});
    const panda = restConnector.map(result.records[0]!, cfg);
    expect(panda).toMatchObject({ ok: true, record: { sourceId: '1', title: '大貓熊', tags: ['貓熊', '熊貓'], locations: [{ name: '新光特展館（大貓熊館）' }] } });
    expect(panda).not.toHaveProperty('record.sourceUrl');
  });
});

const items = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, i) => ({ id: `00${from + i}`, name: `事项${from + i}` }));

describe('rest pagination', () => {
  it('pages by page number with a total envelope', async () => {
    const server = await serve((_req, res, url) => {
      const page = Number(url.searchParams.get('page'));
      res.end(JSON.stringify({ data: { total: 7, rows: items((page - 1) * 3, Math.min(page * 3, 7)) } }));
    });
    const cfg = config({ url: `${server.url}/list`, recordsPath: 'data.rows', idPath: 'id', pagination: { type: 'page', sizeParam: 'size', pageSize: 3, totalPath: 'data.total' } });
    const result = await collect(restConnector.read(cfg, undefined, testReadContext()));
    expect(result.records.map((record) => record.sourceId)).toEqual(['000', '001', '002', '003', '004', '005', '006']);
    expect(server.requests).toEqual(['/list?page=1&size=3', '/list?page=2&size=3', '/list?page=3&size=3']);
    expect(result.events.filter((type) => type === 'checkpoint')).toHaveLength(2);
  });

  it('stops at a short page when there is no total', async () => {
    const server = await serve((_req, res, url) => {
      const page = Number(url.searchParams.get('pageNo'));
      res.end(JSON.stringify(items((page - 1) * 4, Math.min(page * 4, 10))));
    });
    const cfg = config({ url: `${server.url}/list`, idPath: 'id', pagination: { type: 'page', pageParam: 'pageNo', pageSize: 4 } });
    const result = await collect(restConnector.read(cfg, undefined, testReadContext()));
    expect(result.records).toHaveLength(10);
    expect(server.requests).toHaveLength(3);
  });

  it('follows cursors until the source gives none', async () => {
    const server = await serve((_req, res, url) => {
      const cursor = url.searchParams.get('cursor') ?? 'a';
      const next = { a: 'b', b: 'c', c: null }[cursor as 'a' | 'b' | 'c'];
      res.end(JSON.stringify({ items: [{ id: cursor, name: cursor }], next_cursor: next }));
    });
    const cfg = config({ url: `${server.url}/feed`, recordsPath: 'items', idPath: 'id', pagination: { type: 'cursor', nextCursorPath: 'next_cursor' } });
    const result = await collect(restConnector.read(cfg, undefined, testReadContext()));
    expect(result.records.map((record) => record.sourceId)).toEqual(['a', 'b', 'c']);
    expect(result.checkpoints).toEqual([{ resume: { cursor: 'b' } }, { resume: { cursor: 'c' } }]);
  });

  it('follows next links in the body and in the Link header', async () => {
    const server = await serve((req, res, url) => {
      const n = Number(url.searchParams.get('n') ?? '1');
      if (url.pathname === '/body') {
        res.end(JSON.stringify({ results: [{ id: n, name: 'x' }], next: n < 3 ? `/body?n=${n + 1}` : null }));
      } else {
        if (n < 2) res.setHeader('link', `<${`http://${req.headers.host}/header?n=${n + 1}`}>; rel="next", </header?n=1>; rel="first"`);
        res.end(JSON.stringify([{ id: n, name: 'y' }]));
      }
    });
    const body = await collect(restConnector.read(config({ url: `${server.url}/body`, recordsPath: 'results', idPath: 'id', pagination: { type: 'nextLink', nextPath: 'next' } }), undefined, testReadContext()));
    expect(body.records.map((record) => record.sourceId)).toEqual(['1', '2', '3']);
    const header = await collect(restConnector.read(config({ url: `${server.url}/header`, idPath: 'id', pagination: { type: 'nextLink' } }), undefined, testReadContext()));
    expect(header.records.map((record) => record.sourceId)).toEqual(['1', '2']);
  });

  it('posts paging parameters in a JSON body when the method is POST', async () => {
    const bodies: unknown[] = [];
    const server = await serve(async (req, res) => {
      let text = '';
      for await (const chunk of req) text += String(chunk);
      const body = JSON.parse(text) as { pageNo: number; pageSize: number; keyword: string };
      bodies.push({ method: req.method, type: req.headers['content-type'], body });
      res.end(JSON.stringify({ data: { total: 5, list: items((body.pageNo - 1) * 2, Math.min(body.pageNo * 2, 5)) } }));
    });
    const cfg = config({
      url: `${server.url}/api/search`,
      method: 'POST',
      body: { keyword: '养老' },
      recordsPath: 'data.list',
      idPath: 'id',
      pagination: { type: 'page', pageParam: 'pageNo', sizeParam: 'pageSize', pageSize: 2, totalPath: 'data.total' },
    });
    const result = await collect(restConnector.read(cfg, undefined, testReadContext()));
    expect(result.records).toHaveLength(5);
    expect(bodies).toEqual([1, 2, 3].map((pageNo) => ({ method: 'POST', type: 'application/json;charset=utf-8', body: { keyword: '养老', pageNo, pageSize: 2 } })));
  });

  it('resumes from a checkpointed state', async () => {
    const server = await serve((_req, res, url) => {
      const page = Number(url.searchParams.get('page'));
      res.end(JSON.stringify({ total: 9, rows: items((page - 1) * 3, page * 3) }));
    });
    const cfg = config({ url: `${server.url}/list`, recordsPath: 'rows', idPath: 'id', pagination: { type: 'page', pageSize: 3, totalPath: 'total' } });
    const result = await collect(restConnector.read(cfg, { resume: { page: 3 } }, testReadContext()));
    expect(server.requests).toEqual(['/list?page=3']);
    expect(result.records.map((record) => record.sourceId)).toEqual(['006', '007', '008']);
  });

  it('fails midway without yielding complete', async () => {
    const server = await serve((_req, res, url) => {
      const page = Number(url.searchParams.get('page'));
      if (page === 2) {
        res.statusCode = 503;
        res.end();
        return;
      }
      res.end(JSON.stringify({ total: 6, rows: items(0, 3) }));
    });
    const cfg = config({ url: `${server.url}/list`, recordsPath: 'rows', idPath: 'id', pagination: { type: 'page', pageSize: 3, totalPath: 'total' } });
    const events: string[] = [];
    const error = await (async () => {
      for await (const event of restConnector.read(cfg, undefined, testReadContext())) events.push(event.type);
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(IngestError);
    expect((error as IngestError).errorClass).toBe('source_unreachable');
    expect(events).toEqual(['record', 'record', 'record', 'checkpoint']);
  });

  it('classifies a non-JSON body as bad source data', async () => {
    const server = await serve((_req, res) => res.end('<html>维护中</html>'));
    const error = await collect(restConnector.read(config({ url: `${server.url}/x` }), undefined, testReadContext())).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ errorClass: 'source_data', message: expect.stringContaining('JSON') });
  });
});

describe('rest auth', () => {
  const server = () =>
    serve((req, res, url) => {
      const ok =
        req.headers['x-api-key'] === 'k1' ||
        req.headers.authorization === 'Bearer t0k' ||
        req.headers.authorization === `Basic ${Buffer.from('gx:p@ss').toString('base64')}` ||
        url.searchParams.get('appkey') === 'q1';
      res.statusCode = ok ? 200 : 401;
      res.end(JSON.stringify([{ id: '1', name: 'ok' }]));
    });

  it.each([
    { type: 'header', name: 'X-Api-Key', value: 'k1' },
    { type: 'bearer', token: 't0k' },
    { type: 'basic', username: 'gx', password: 'p@ss' },
    { type: 'apiKeyQuery', param: 'appkey', value: 'q1' },
  ])('authenticates by $type', async (auth) => {
    const local = await server();
    const result = await collect(restConnector.read(config({ url: `${local.url}/x`, idPath: 'id', auth }), undefined, testReadContext()));
    expect(result.records).toHaveLength(1);
  });

  it('reports a wrong credential as a config error through check()', async () => {
    const local = await server();
    const verdict = await restConnector.check(config({ url: `${local.url}/x`, auth: { type: 'bearer', token: 'wrong' } }), testReadContext());
    expect(verdict.ok).toBe(false);
    expect(verdict.message).toContain('认证失败');
    const good = await restConnector.check(config({ url: `${local.url}/x`, auth: { type: 'bearer', token: 't0k' } }), testReadContext());
    expect(good).toMatchObject({ ok: true });
  });
});

describe('rest bad config and bad state', () => {
  it('rejects the bad config fixture with a reason per field', async () => {
    const result = restConfigSchema.safeParse(json('bad-config.json'));
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['url', 'pagination.pageSize', 'auth.token', 'mapping.fields.0.source']));
    const verdict = await restConnector.check(json('bad-config.json') as never, testReadContext());
    expect(verdict).toMatchObject({ ok: false, message: expect.stringContaining('配置无效') });
  });

  it('rejects the bad state fixture, and a state of another pagination type', async () => {
    const cfg = config({ url: 'http://127.0.0.1:9/x', pagination: { type: 'offset' } });
    await expect(collect(restConnector.read(cfg, json('bad-state.json'), testReadContext()))).rejects.toMatchObject({ code: 'INVALID_STATE', errorClass: 'config' });
    await expect(collect(restConnector.read(cfg, { resume: { page: 2 } }, testReadContext()))).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
