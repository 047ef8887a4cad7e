import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareRecord } from '../../src/ingest/prepare.js';
import { collect, fixture, startLocalServer, testReadContext, type LocalServer } from '../testing/index.js';
import { justiceConnector } from './index.js';

const files: Record<string, { body: Buffer; type: string }> = {
  '/ggflfw/zd.csv': { body: fixture(import.meta.url, 'service-stations.csv'), type: 'text/csv; charset=utf-8' },
  // The declaration says gb2312 and the header gives no charset; the bytes are GB18030 (喆 is not in GB2312).
  '/gkml/export.xml': { body: fixture(import.meta.url, 'policies.gb18030.xml'), type: 'text/xml' },
};

let server: LocalServer;
beforeAll(async () => {
  server = await startLocalServer((_request, response, url) => {
    const file = files[url.pathname];
    if (!file) {
      response.statusCode = 404;
      return response.end();
    }
    response.setHeader('content-type', file.type);
    response.end(file.body);
  });
});
afterAll(() => server.close());

const stations = () => justiceConnector.configSchema.parse({ dataset: 'service-stations', url: `${server.url}/ggflfw/zd.csv` });
const policies = () => justiceConnector.configSchema.parse({ dataset: 'policies', url: `${server.url}/gkml/export.xml` });

describe('justice profile: service stations (UTF-8 CSV with BOM)', () => {
  it('maps stations to services by type, with ids keeping leading zeros', async () => {
    const config = stations();
    const { records } = await collect(justiceConnector.read(config, undefined, testReadContext()));
    expect(records.map((r) => r.sourceId)).toEqual(['00310', '00311', '00312', '00313', '00314']);
    const mapped = records.map((r) => justiceConnector.map(r, config));
    expect(mapped[0]).toMatchObject({ ok: true, record: { kind: 'SERVICE', title: '吴兴区法律援助中心', categories: ['法律援助'], orgUnitCodes: ['330502'] } });
    expect(mapped[1]).toMatchObject({
      ok: true,
      record: { categories: ['人民调解'], consultPhone: '0572-2039881', steps: ['邻里纠纷调解', '婚姻家庭纠纷调解'], isFree: true },
    });
    expect(mapped[2]).toMatchObject({ ok: true, record: { orgUnitCodes: ['330502100202'] } });
  });

  it('refuses the station marked 涉密', async () => {
    const config = stations();
    const { records } = await collect(justiceConnector.read(config, undefined, testReadContext()));
    const rules = { department: 'justice', targetKind: 'SERVICE' as const, defaultOrgUnitCodes: [] };
    expect(prepareRecord(records[4]!, (raw) => justiceConnector.map(raw, config), rules)).toMatchObject({ ok: false, code: 'CLASSIFIED' });
  });
});

describe('justice profile: policy documents (XML declared gb2312)', () => {
  it('decodes the export and maps validity, supersession and dates written in three styles', async () => {
    const config = policies();
    const { records } = await collect(justiceConnector.read(config, undefined, testReadContext()));
    expect(records.map((r) => r.sourceId)).toEqual([
      '113305000026066730/2022-00003',
      '113305000026066730/2018-00001',
      '113305000026066730/2021-00009',
      '113305000026066730/2024-00002',
    ]);
    expect(records[0]!.data).toMatchObject({ lxr: '王喆' });
    const [current, repealed, internal] = records.map((r) => justiceConnector.map(r, config));
    expect(current).toMatchObject({
      ok: true,
      record: {
        kind: 'POLICY',
        docNumber: '湖司发〔2022〕3号',
        writtenAt: new Date('2022-02-28T16:00:00.000Z'),
        publishedAt: new Date('2022-03-07T16:00:00.000Z'),
        validity: 'VALID',
        tags: ['法律援助', '农民工', '经济困难标准'],
      },
    });
    if (current?.ok) expect(current.record.body).not.toContain('<script');
    expect(repealed).toMatchObject({
      ok: true,
      record: { validity: 'REPEALED', supersededByDocNumber: '湖司发〔2022〕3号', publishedAt: new Date('2018-01-18T16:00:00.000Z') },
    });
    expect(internal).toMatchObject({ ok: true, record: { confidentiality: 'INTERNAL', publishedAt: new Date('2021-09-09T16:00:00.000Z') } });
  });

  it('rejects a record with no title and an impossible date, naming both', async () => {
    const config = policies();
    const { records } = await collect(justiceConnector.read(config, undefined, testReadContext()));
    const broken = justiceConnector.map(records[3]!, config);
    expect(broken.ok).toBe(false);
    if (!broken.ok) {
      expect(broken.reasons.some((r) => r.startsWith('writtenAt'))).toBe(true);
      expect(broken.reasons.some((r) => r.startsWith('title'))).toBe(true);
    }
  });

  it('refuses a bad config and a bad state', async () => {
    const bad = justiceConnector.configSchema.safeParse(JSON.parse(fixture(import.meta.url, 'bad-config.json').toString('utf8')));
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['url', 'encoding']));
    const state = JSON.parse(fixture(import.meta.url, 'bad-state.json').toString('utf8')) as Record<string, unknown>;
    await expect(collect(justiceConnector.read(policies(), state, testReadContext()))).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
