import { afterEach, describe, expect, it } from 'vitest';
import { collect, fixture, realSample, startLocalServer, testReadContext, type LocalServer } from '../testing/index.js';
import { getPath, parsePath } from '../../src/ingest/mapping/index.js';
import { asArray, parseXml, resolveNamespaces } from '../shared/xml.js';
import { streamElements } from './reader.js';
import { xmlConfigSchema, xmlConnector } from './index.js';

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
async function serveBody(body: Uint8Array | string, type = 'application/xml'): Promise<LocalServer> {
  const server = await startLocalServer((_req, res) => {
    res.setHeader('content-type', type);
    res.end(body);
  });
  servers.push(server);
  return server;
}

const CLML = {
  leg: 'http://www.legislation.gov.uk/namespaces/legislation',
  meta: 'http://www.legislation.gov.uk/namespaces/metadata',
  dc: 'http://purl.org/dc/elements/1.1/',
  atom: 'http://www.w3.org/2005/Atom',
};

describe('xml connector', () => {
  it('reads the CLML export: default namespace, prefixes declared on a nested element, no declaration', async () => {
    const sample = realSample('xml-legislation.gov.uk-clml-nisr-2015-404.xml');
    if (!sample) return;
    const server = await serveBody(sample);
    const cfg = xmlConfigSchema.parse({
      url: `${server.url}/nisr/2015/404/data.xml`,
      namespaces: CLML,
      recordPath: 'leg:Legislation.meta:Metadata',
      idPath: 'dc:identifier',
      mapping: {
        kind: 'POLICY',
        constants: { department: 'justice' },
        fields: [
          { target: 'title', source: 'dc:title' },
          { target: 'summary', source: 'dc:description' },
          { target: 'publishedAt', source: 'dc:modified', transforms: [{ op: 'date', timezone: 'Europe/London' }] },
          { target: 'issuers', source: 'dc:publisher' },
          { target: 'tags', source: 'dc:subject.#text' },
          { target: 'sourceUrl', source: 'dc:identifier' },
        ],
      },
    });
    const result = await collect(xmlConnector.read(cfg, undefined, testReadContext()));
    expect(result.records).toHaveLength(1);
    expect(result.records[0]?.sourceId).toBe('http://www.legislation.gov.uk/nisr/2015/404/contents/made');
    const mapped = xmlConnector.map(result.records[0]!, cfg);
    expect(mapped).toMatchObject({
      ok: true,
      record: { issuers: ['Government Printer for Northern Ireland'], tags: ['SOCIAL SECURITY'], title: expect.stringContaining('(Amendment) Regulations (Northern Ireland) 2015') },
    });
    expect(mapped.ok && 'summary' in mapped.record ? mapped.record.summary : '').toContain('“the Crediting and Treatment Regulations”');
    expect(mapped.ok && 'publishedAt' in mapped.record && (mapped.record.publishedAt as Date).toISOString()).toBe('2015-12-10T00:00:00.000Z');

    const contents = await collect(
      xmlConnector.read(xmlConfigSchema.parse({ ...cfg, recordPath: 'leg:Legislation.leg:Contents.leg:ContentsItem', idPath: '@_ContentRef' }), undefined, testReadContext()),
    );
    expect(contents.records.length).toBeGreaterThanOrEqual(2);
  });

  it('resolves namespaces by URI whatever prefix the document uses, keeping leading zeros', async () => {
    const server = await serveBody(fixture(import.meta.url, 'justice-legal-aid-prefixed.xml'));
    const cfg = xmlConfigSchema.parse({
      url: `${server.url}/export.xml`,
      namespaces: { j: 'urn:gov:cn:justice:export:1' },
      recordPath: 'j:导出.j:机构',
      idPath: '@_j:编号',
      mapping: {
        kind: 'SERVICE',
        constants: { department: 'justice', categories: ['法律援助'] },
        fields: [
          { target: 'title', source: 'j:名称' },
          { target: 'locations[0].address', source: 'j:地址', transforms: [{ op: 'halfWidth' }] },
          { target: 'consultPhone', source: 'j:电话' },
        ],
      },
    });
    const result = await collect(xmlConnector.read(cfg, undefined, testReadContext()));
    expect(result.records.map((record) => record.sourceId)).toEqual(['00310', '00311']);
    expect(result.records[0]?.data).toHaveProperty('备注');
    expect(xmlConnector.map(result.records[0]!, cfg)).toMatchObject({ ok: true, record: { sourceId: '00310', locations: [{ address: '某区人民路18号' }], consultPhone: '0572-12348' } });
  });

  it('streams the same records a whole-document parse gives, from chunks of any size', async () => {
    const documents: Array<{ text: string | undefined; path: string; aliases: Record<string, string> }> = [
      { text: realSample('xml-legislation.gov.uk-clml-nisr-2015-404.xml')?.toString('utf8'), path: 'leg:Legislation.leg:Contents.leg:ContentsItem', aliases: CLML },
      { text: realSample('xml-legislation.gov.uk-clml-nisr-2015-404.xml')?.toString('utf8'), path: 'leg:Legislation.meta:Metadata', aliases: CLML },
      { text: fixture(import.meta.url, 'justice-legal-aid-prefixed.xml').toString('utf8'), path: 'j:导出.j:机构', aliases: { j: 'urn:gov:cn:justice:export:1' } },
      { text: '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY org "湖州市司法局">]><r><i a="1">&org;</i><i/><i><![CDATA[<i>不是元素</i>]]></i></r>', path: 'r.i', aliases: {} },
    ];
    for (const { text, path, aliases } of documents) {
      if (!text) continue;
      const whole = asArray(getPath(resolveNamespaces(parseXml(text), aliases), parsePath(path)) as unknown[]).map((element) =>
        element !== null && typeof element === 'object' ? element : { '#text': element },
      );
      for (const size of [7, 1024, text.length]) {
        async function* chunks() {
          for (let at = 0; at < text!.length; at += size) yield text!.slice(at, at + size);
        }
        const streamed: unknown[] = [];
        for await (const element of streamElements(chunks(), path.split('.'), aliases)) streamed.push(element);
        expect(streamed).toEqual(whole);
      }
    }
  });

  it('fails a truncated document after the records before the cut, and refuses unsafe entities while streaming', async () => {
    const truncated = await serveBody('<r><i>1</i><i>2</i><i>3');
    const seen: string[] = [];
    const read = async () => {
      for await (const event of xmlConnector.read(xmlConfigSchema.parse({ url: `${truncated.url}/t.xml`, recordPath: 'r.i', mapping: { kind: 'POLICY' } }), undefined, testReadContext())) {
        if (event.type === 'record') seen.push(String(event.record.data['#text']));
        if (event.type === 'complete') seen.push('complete');
      }
    };
    await expect(read()).rejects.toMatchObject({ errorClass: 'source_data', message: expect.stringContaining('truncated') });
    expect(seen).toEqual(['1', '2']);
    const laughs = await serveBody('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;">]><r><i>&b;</i></r>');
    await expect(collect(xmlConnector.read(xmlConfigSchema.parse({ url: `${laughs.url}/l.xml`, recordPath: 'r.i', mapping: { kind: 'POLICY' } }), undefined, testReadContext()))).rejects.toMatchObject({ code: 'UNSAFE_CONTENT' });
  });

  it('reports a missing record path and malformed XML as bad source data', async () => {
    const server = await serveBody('<a><b>1</b></a>');
    const base = { url: `${server.url}/x.xml`, mapping: { kind: 'POLICY' } };
    await expect(collect(xmlConnector.read(xmlConfigSchema.parse({ ...base, recordPath: 'a.c' }), undefined, testReadContext()))).rejects.toMatchObject({ errorClass: 'source_data', message: expect.stringContaining('a.c') });
    const broken = await serveBody('<a><b>1</a>');
    await expect(collect(xmlConnector.read(xmlConfigSchema.parse({ ...base, url: `${broken.url}/y.xml`, recordPath: 'a' }), undefined, testReadContext()))).rejects.toMatchObject({ errorClass: 'source_data' });
  });

  it('rejects the bad config and bad state fixtures', async () => {
    const bad = xmlConfigSchema.safeParse(JSON.parse(fixture(import.meta.url, 'bad-config.json').toString()));
    expect(bad.error?.issues.map((issue) => issue.path.join('.'))).toEqual(expect.arrayContaining(['namespaces.1bad', 'recordPath']));
    const cfg = xmlConfigSchema.parse({ url: 'http://127.0.0.1:9/x', recordPath: 'a', mapping: {} });
    const state = JSON.parse(fixture(import.meta.url, 'bad-state.json').toString()) as Record<string, unknown>;
    await expect(collect(xmlConnector.read(cfg, state, testReadContext()))).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
