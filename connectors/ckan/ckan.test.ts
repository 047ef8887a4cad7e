import { afterEach, describe, expect, it } from 'vitest';
import { collect, fixture, realSample, startLocalServer, testReadContext, type LocalServer } from '../testing/index.js';
import { ckanConfigSchema, ckanConnector } from './index.js';

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

const datasetMapping = {
  kind: 'POLICY',
  constants: { department: 'culture', categories: ['开放数据'] },
  fields: [
    { target: 'title', source: 'title' },
    { target: 'summary', source: 'notes', transforms: [{ op: 'html', output: 'text' }] },
    { target: 'issuers', source: 'organization.title' },
    { target: 'tags', source: 'tags[*].display_name' },
    { target: 'publishedAt', source: 'metadata_created', transforms: [{ op: 'date', timezone: 'UTC' }] },
  ],
};

describe('ckan connector', () => {
  it('pages package_search by start/rows until result.count, on the demo.ckan.org capture', async () => {
    const sample = realSample('ckan-package_search-demo.ckan.org.json');
    if (!sample) return;
    const captured = JSON.parse(sample.toString('utf8')) as { result: { count: number; results: Record<string, unknown>[] } };
    const server = await startLocalServer((_req, res, url) => {
      const start = Number(url.searchParams.get('start'));
      const rows = Number(url.searchParams.get('rows'));
      res.setHeader('content-type', 'application/json;charset=utf-8');
      res.end(JSON.stringify({ ...captured, result: { ...captured.result, results: captured.result.results.slice(start, start + rows) } }));
    });
    servers.push(server);
    const cfg = ckanConfigSchema.parse({
      url: `${server.url}/`,
      rows: 2,
      mapping: datasetMapping,
    });
    const result = await collect(ckanConnector.read(cfg, undefined, testReadContext()));
    expect(server.requests).toEqual([
      '/api/3/action/package_search?q=*%3A*&sort=id+asc&start=0&rows=2',
      '/api/3/action/package_search?q=*%3A*&sort=id+asc&start=2&rows=2',
    ]);
    expect(result.records).toHaveLength(3);
    expect(result.records.map((record) => record.sourceId)).toEqual(captured.result.results.map((dataset) => dataset.id));
    expect(result.records[0]?.cursor).toBe(captured.result.results[0]?.metadata_modified);
    expect(result.checkpoints).toEqual([{ resume: { offset: 2 } }]);
    const hk = result.records.find((record) => String(record.data.title).includes('規管海外物業銷售'));
    expect(hk).toBeDefined();
    const mapped = result.records.map((record) => ckanConnector.map(record, cfg));
    expect(mapped.every((entry) => entry.ok)).toBe(true);
    const withoutOrg = result.records.filter((record) => record.data.organization === null);
    expect(withoutOrg).toHaveLength(2);
    expect(ckanConnector.map(withoutOrg[0]!, cfg)).toMatchObject({ ok: true, record: { issuers: [] } });
  });

  it('resumes from a checkpointed start and passes fq', async () => {
    const server = await startLocalServer((_req, res) => res.end(JSON.stringify({ success: true, result: { count: 3, results: [{ id: 'c', title: 'C' }] } })));
    servers.push(server);
    const cfg = ckanConfigSchema.parse({ url: server.url, fq: 'organization:wjw', rows: 2, mapping: datasetMapping });
    const result = await collect(ckanConnector.read(cfg, { resume: { offset: 2 } }, testReadContext()));
    expect(server.requests).toEqual(['/api/3/action/package_search?q=*%3A*&sort=id+asc&fq=organization%3Awjw&start=2&rows=2']);
    expect(result.records.map((record) => record.sourceId)).toEqual(['c']);
  });

  it('rejects the bad config and bad state fixtures', async () => {
    const bad = ckanConfigSchema.safeParse(JSON.parse(fixture(import.meta.url, 'bad-config.json').toString()));
    expect(bad.error?.issues.map((issue) => issue.path.join('.'))).toEqual(expect.arrayContaining(['url', 'rows', 'mapping.fields.0.source']));
    const state = JSON.parse(fixture(import.meta.url, 'bad-state.json').toString()) as Record<string, unknown>;
    const cfg = ckanConfigSchema.parse({ url: 'http://127.0.0.1:9', mapping: datasetMapping });
    await expect(collect(ckanConnector.read(cfg, state, testReadContext()))).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
