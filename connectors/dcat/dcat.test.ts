import { afterEach, describe, expect, it } from 'vitest';
import { collect, fixture, realSample, startLocalServer, testReadContext, type LocalServer } from '../testing/index.js';
import { dcatConfigSchema, dcatConnector } from './index.js';

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
async function serveBody(body: Uint8Array | string, type = 'application/json'): Promise<LocalServer> {
  const server = await startLocalServer((_req, res) => {
    res.setHeader('content-type', type);
    res.end(body);
  });
  servers.push(server);
  return server;
}
const datasetMapping = {
  kind: 'POLICY',
  constants: { department: 'education', categories: ['开放数据'] },
  fields: [
    { target: 'title', source: 'title' },
    { target: 'summary', source: 'description' },
    { target: 'issuers', source: 'publisher' },
    { target: 'tags', source: 'keywords' },
    { target: 'publishedAt', source: ['issued', 'modified'], transforms: [{ op: 'date', timezone: 'UTC' }] },
    { target: 'sourceUrl', source: ['landingPage', 'distributions[0].accessURL'] },
  ],
};
const config = (url: string) => dcatConfigSchema.parse({ url, mapping: datasetMapping });

describe('dcat connector', () => {
  it('reads the ARM DCAT-US data.json (nested publisher, space-separated modified, no mediaType)', async () => {
    const sample = realSample('dcat-us-datajson-arm.gov.json');
    if (!sample) return;
    const server = await serveBody(sample);
    const cfg = config(`${server.url}/data.json`);
    const result = await collect(dcatConnector.read(cfg, undefined, testReadContext()));
    expect(result.records).toHaveLength(3);
    expect(result.records[0]).toMatchObject({
      sourceId: 'ncepgfsbrwpprof',
      cursor: '2019-06-27 12:41:27',
      data: { publisher: 'Atmospheric Radiation Measurement Data Center', contact: 'ARM Data Center', distributions: [{ format: 'cdf' }] },
    });
    const mapped = dcatConnector.map(result.records[0]!, cfg);
    expect(mapped).toMatchObject({ ok: true, record: { issuers: ['Atmospheric Radiation Measurement Data Center'], sourceUrl: expect.stringContaining('archive.arm.gov') } });
    expect(mapped.ok && (mapped.record as { publishedAt: Date }).publishedAt.toISOString()).toBe('2019-06-27T12:41:27.000Z');
  });

  it('reads the data.ny.gov data.json', async () => {
    const sample = realSample('dcat-us-datajson-data.ny.gov.json');
    if (!sample) return;
    const server = await serveBody(sample);
    const result = await collect(dcatConnector.read(config(`${server.url}/data.json`), undefined, testReadContext()));
    expect(result.records.length).toBeGreaterThanOrEqual(1);
    expect(result.records[0]?.sourceId).toBeTruthy();
    expect((result.records[0]?.data.keywords as string[]).every((keyword) => keyword === keyword.toLowerCase())).toBe(true);
  });

  it('reads the datos.gob.es DCAT-AP JSON-LD graph: language-tagged literals, referenced publisher and format nodes', async () => {
    const sample = realSample('dcat-ap-datos.gob.es-madrid.jsonld');
    if (!sample) return;
    const server = await serveBody(sample, 'application/ld+json');
    const cfg = dcatConfigSchema.parse({ url: `${server.url}/dataset.jsonld`, languages: ['es'], mapping: datasetMapping });
    const result = await collect(dcatConnector.read(cfg, undefined, testReadContext()));
    expect(result.records).toHaveLength(1);
    expect(result.records[0]).toMatchObject({
      sourceId: 'https://datos.gob.es/catalogo/l01280796-estudio-de-satisfaccion-con-el-programa-de-escuelas-municipales-de-promocion-deportiva-en-centros-escolares',
      data: {
        title: 'Estudio de Satisfacción con el Programa de Escuelas Municipales de Promoción Deportiva en centros escolares',
        publisher: 'Ayuntamiento de Madrid',
        keywords: ['deporte escolar', 'escuelas', 'promoción'],
        issued: '2024-04-15T09:08:02+02:00',
        license: 'https://datos.madrid.es/egob/catalogo/aviso-legal',
        distributions: [{ title: 'Estudio de satisfacción temporada 2023-2024', accessURL: 'https://datos.madrid.es/egob/catalogo/300676-0-deporte-encuesta-escuelas.xlsx', format: 'XLS' }],
      },
    });
    const mapped = dcatConnector.map(result.records[0]!, cfg);
    expect(mapped.ok && (mapped.record as { publishedAt: Date }).publishedAt.toISOString()).toBe('2024-04-15T07:08:02.000Z');
    expect(mapped).toMatchObject({ ok: true, record: { sourceUrl: 'https://datos.madrid.es/egob/catalogo/300676-0-deporte-encuesta-escuelas.xlsx' } });
  });

  it('prefers the configured language among language-tagged literals', async () => {
    const doc = {
      '@context': { dcat: 'http://www.w3.org/ns/dcat#', dct: 'http://purl.org/dc/terms/', title: 'dct:title' },
      '@graph': [{ '@id': 'urn:ds:0001', '@type': 'dcat:Dataset', title: [{ '@value': 'School enrolment', '@language': 'en' }, { '@value': '义务教育招生', '@language': 'zh' }] }],
    };
    const server = await serveBody(JSON.stringify(doc), 'application/ld+json');
    const result = await collect(dcatConnector.read(config(`${server.url}/x`), undefined, testReadContext()));
    expect(result.records[0]).toMatchObject({ sourceId: 'urn:ds:0001', data: { title: '义务教育招生' } });
  });

  it('reads the same datasets from the datos.gob.es Turtle as from its JSON-LD', async () => {
    const ttl = realSample('dcat-ap-datos.gob.es-madrid.ttl');
    const jsonld = realSample('dcat-ap-datos.gob.es-madrid.jsonld');
    if (!ttl || !jsonld) return;
    const server = await startLocalServer((req, res) => {
      const turtle = req.url?.endsWith('.ttl') ?? false;
      res.setHeader('content-type', req.url === '/untyped' ? 'application/octet-stream' : turtle ? 'text/turtle; charset=utf-8' : 'application/ld+json');
      res.end(req.url === '/untyped' || turtle ? ttl : jsonld);
    });
    servers.push(server);
    const read = async (path: string) => {
      const cfg = dcatConfigSchema.parse({ url: `${server.url}${path}`, languages: ['es'], mapping: datasetMapping });
      return (await collect(dcatConnector.read(cfg, undefined, testReadContext()))).records;
    };
    const fromTurtle = await read('/dataset.ttl');
    const fromJsonLd = await read('/dataset.jsonld');
    expect(fromTurtle).toHaveLength(1);
    const { source: _turtleSource, ...turtleData } = fromTurtle[0]!.data;
    const { source: _jsonLdSource, ...jsonLdData } = fromJsonLd[0]!.data;
    expect(turtleData).toEqual(jsonLdData);
    expect(fromTurtle[0]).toMatchObject({
      sourceId: fromJsonLd[0]!.sourceId,
      data: { publisher: 'Ayuntamiento de Madrid', distributions: [{ format: 'XLS' }] },
    });
    // Without a Turtle content type, a body that is not JSON is read as Turtle.
    expect((await read('/untyped'))[0]?.sourceId).toBe(fromJsonLd[0]!.sourceId);
  });

  it('reports broken Turtle and non-catalogue JSON as bad source data', async () => {
    const turtle = await serveBody('@prefix dcat: <http://www.w3.org/ns/dcat#> .\n<urn:ds:1> a dcat:Dataset ; <http://purl.org/dc/terms/title> "未闭合 .', 'text/turtle');
    await expect(collect(dcatConnector.read(config(`${turtle.url}/x.ttl`), undefined, testReadContext()))).rejects.toMatchObject({ errorClass: 'source_data', message: expect.stringContaining('Turtle') });
    const forcedJson = dcatConfigSchema.parse({ url: `${turtle.url}/x.ttl`, syntax: 'json', mapping: datasetMapping });
    await expect(collect(dcatConnector.read(forcedJson, undefined, testReadContext()))).rejects.toMatchObject({ errorClass: 'source_data', message: expect.stringContaining('JSON') });
    const other = await serveBody('{"hello":"world"}');
    await expect(collect(dcatConnector.read(config(`${other.url}/x.json`), undefined, testReadContext()))).rejects.toMatchObject({ errorClass: 'source_data' });
  });

  it('rejects the bad config and bad state fixtures', async () => {
    const bad = dcatConfigSchema.safeParse(JSON.parse(fixture(import.meta.url, 'bad-config.json').toString()));
    expect(bad.error?.issues.map((issue) => issue.path.join('.'))).toEqual(expect.arrayContaining(['languages.0', 'syntax', 'mapping.fields.0.transforms.0.timezone']));
    const state = JSON.parse(fixture(import.meta.url, 'bad-state.json').toString()) as Record<string, unknown>;
    await expect(collect(dcatConnector.read(config('http://127.0.0.1:9/x'), state, testReadContext()))).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
