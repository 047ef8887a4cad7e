import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareRecord } from '../../src/ingest/prepare.js';
import { collect, fixture, realSample, startLocalServer, testReadContext, type LocalServer } from '../testing/index.js';
import { healthConnector } from './index.js';

const csvBytes = fixture(import.meta.url, 'vaccination-sites.gb18030.csv');
const pages: Record<string, Buffer> = {
  '1': fixture(import.meta.url, 'policies-page1.json'),
  '2': fixture(import.meta.url, 'policies-page2.json'),
};
const govSearch = realSample('rest-govcn-policy-search-fixture.json');
const emptyPage = JSON.stringify({ code: 200, searchVO: { catMap: { gongwen: { listVO: [] }, bumenfile: { listVO: [] } } } });

let server: LocalServer;
beforeAll(async () => {
  server = await startLocalServer((_request, response, url) => {
    if (url.pathname === '/jzmz.csv') {
      // No charset in the header: the bytes are GB18030 and must be configured or sniffed.
      response.setHeader('content-type', 'text/csv');
      return response.end(csvBytes);
    }
    if (url.pathname === '/real/search-gov/data' && govSearch) {
      response.setHeader('content-type', 'application/json;charset=utf-8');
      return response.end(url.searchParams.get('p') === '1' ? govSearch : emptyPage);
    }
    if (url.pathname === '/search-gov/data') {
      response.setHeader('content-type', 'application/json;charset=utf-8');
      return response.end(pages[url.searchParams.get('p') ?? ''] ?? emptyPage);
    }
    response.statusCode = 404;
    response.end();
  });
});
afterAll(() => server.close());

const sitesConfig = () => healthConnector.configSchema.parse({ dataset: 'vaccination-sites', url: `${server.url}/jzmz.csv` });
const policiesConfig = () =>
  healthConnector.configSchema.parse({ dataset: 'policies', url: `${server.url}/search-gov/data?t=zhengcelibrary_gw_bm_gb`, pageSize: 2 });
const rules = { department: 'health', targetKind: 'SERVICE' as const, defaultOrgUnitCodes: ['330500'] };

describe('health profile: vaccination clinics (GB18030 CSV)', () => {
  it('reads every row below the title row, keeping leading zeros in the codes', async () => {
    const result = await collect(healthConnector.read(sitesConfig(), undefined, testReadContext()));
    expect(result.events.at(-1)).toBe('complete');
    expect(result.records.map((r) => r.sourceId)).toEqual([
      '0330502002', '0330502100', '0330503100', '0330521105', '0330521001', '0330502099',
    ]);
    expect(result.records[3]!.data).toMatchObject({ 信息更新日期: '2023年5月1日' });
  });

  it('maps a row to a service, with full-width digits made half-width', async () => {
    const config = sitesConfig();
    const { records } = await collect(healthConnector.read(config, undefined, testReadContext()));
    const first = healthConnector.map(records[0]!, config);
    expect(first).toMatchObject({
      ok: true,
      record: {
        kind: 'SERVICE',
        department: 'health',
        sourceId: '0330502002',
        title: '朝阳街道社区卫生服务中心预防接种门诊',
        implementingAgency: '朝阳街道社区卫生服务中心',
        orgUnitCodes: ['330502002'],
        consultPhone: '0572-2036618',
        isFree: true,
        tags: ['国家免疫规划疫苗', '流感疫苗', '狂犬病疫苗'],
        locations: [{ address: '湖州市吴兴区红旗路188号二楼', hours: '周二、周四、周六 8:00-11:00，13:30-16:00', phone: '0572-2036618' }],
      },
    });
    expect(healthConnector.map(records[1]!, config)).toMatchObject({ ok: true, record: { orgUnitCodes: ['330502100'] } });
  });

  it('rejects a row without a name, and a 涉密 row is refused as classified', async () => {
    const config = sitesConfig();
    const { records } = await collect(healthConnector.read(config, undefined, testReadContext()));
    const untitled = healthConnector.map(records[4]!, config);
    expect(untitled.ok).toBe(false);
    if (!untitled.ok) expect(untitled.reasons.join(' ')).toMatch(/title/);
    const classified = prepareRecord(records[5]!, (raw) => healthConnector.map(raw, config), rules);
    expect(classified).toMatchObject({ ok: false, code: 'CLASSIFIED' });
  });

  it('uses a feed mapping in place of the default', async () => {
    const config = healthConnector.configSchema.parse({
      dataset: 'vaccination-sites',
      url: `${server.url}/jzmz.csv`,
      mapping: { kind: 'SERVICE', constants: { department: 'health' }, fields: [{ target: 'title', source: '所属乡镇（街道）' }] },
    });
    const { records } = await collect(healthConnector.read(config, undefined, testReadContext()));
    expect(healthConnector.map(records[0]!, config)).toMatchObject({ ok: true, record: { title: '朝阳街道', sourceId: '0330502002' } });
  });
});

describe('health profile: policy documents (paged JSON)', () => {
  it('pages with p and n until an empty page, and maps every hit to a policy', async () => {
    const config = policiesConfig();
    const result = await collect(healthConnector.read(config, undefined, testReadContext()));
    expect(result.records.map((r) => r.sourceId)).toEqual(['00412987', '00412990', '00398811']);
    const mapped = result.records.map((r) => healthConnector.map(r, config));
    expect(mapped[0]).toMatchObject({
      ok: true,
      record: {
        kind: 'POLICY',
        title: '湖州市卫生健康委员会关于印发《湖州市家庭医生签约服务实施办法》的通知',
        docNumber: '湖卫健发〔2025〕7号',
        publishedAt: new Date('2025-02-24T16:00:00.000Z'),
        theme: '卫生、体育/卫生',
        issuers: ['湖州市卫生健康委员会'],
      },
    });
    // pubtimeStr is empty: the epoch-millisecond ptime is used.
    expect(mapped[1]).toMatchObject({
      ok: true,
      record: { publishedAt: new Date(1746460800000), issuers: ['湖州市卫生健康委员会', '湖州市疾病预防控制中心'] },
    });
  });
});

describe('health profile: bad input', () => {
  it('refuses a bad config with a reason per field', () => {
    const parsed = healthConnector.configSchema.safeParse(JSON.parse(fixture(import.meta.url, 'bad-config.json').toString('utf8')));
    expect(parsed.success).toBe(false);
    const paths = parsed.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['url', 'encoding', 'auth.token']));
  });

  it('refuses an unknown dataset', () => {
    expect(healthConnector.configSchema.safeParse({ dataset: 'hospitals', url: 'https://wjw.huzhou.gov.cn/a.csv' }).success).toBe(false);
  });

  it('fails a read from a bad state with a config error', async () => {
    const state = JSON.parse(fixture(import.meta.url, 'bad-state.json').toString('utf8')) as Record<string, unknown>;
    await expect(collect(healthConnector.read(policiesConfig(), state, testReadContext()))).rejects.toMatchObject({
      errorClass: 'config',
      code: 'INVALID_STATE',
    });
  });

  it('reports an unreachable source from check()', async () => {
    const result = await healthConnector.check(
      healthConnector.configSchema.parse({ dataset: 'vaccination-sites', url: `${server.url}/missing.csv` }),
      testReadContext(),
    );
    expect(result.ok).toBe(false);
    expect((await healthConnector.check(sitesConfig(), testReadContext())).ok).toBe(true);
  });
});

describe('health profile on the real gov.cn policy-search shape', () => {
  it('maps both categories, splitting space-separated issuers and the backslash theme', async (t) => {
    if (!govSearch) return t.skip();
    const config = healthConnector.configSchema.parse({ dataset: 'policies', url: `${server.url}/real/search-gov/data?t=zhengcelibrary_gw_bm_gb`, pageSize: 5 });
    const { records } = await collect(healthConnector.read(config, undefined, testReadContext()));
    expect(records.map((r) => r.sourceId)).toEqual(['26391409', '26392212']);
    const [reply, plan] = records.map((r) => healthConnector.map(r, config));
    expect(reply).toMatchObject({ ok: true, record: { docNumber: '国函〔2026〕80号', issuers: ['国务院'], publishedAt: new Date('2026-07-23T16:00:00.000Z') } });
    expect(plan).toMatchObject({ ok: true, record: { docNumber: '交运发〔2026〕86号', issuers: ['交通运输部', '国家铁路局'], theme: '工业、交通/其他' } });
    if (plan?.ok) expect(plan.record.summary).toBeUndefined();
  });
});
