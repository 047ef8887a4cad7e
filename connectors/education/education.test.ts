import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, fixture, realSample, startLocalServer, testReadContext, type LocalServer } from '../testing/index.js';
import { educationConnector } from './index.js';

const files: Record<string, { body: Buffer; type: string }> = {
  '/xxmd/2026.xlsx': { body: fixture(import.meta.url, 'schools.xlsx'), type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  // Declared gb2312 in the prolog, GB18030 bytes, no charset in the header.
  '/tzgg/rss.xml': { body: fixture(import.meta.url, 'notices.rss.xml'), type: 'application/xml' },
};

const moeList = realSample('xlsx-cn-moe-national-universities-list.xlsx');
if (moeList) files['/real/moe.xlsx'] = { body: moeList, type: 'application/octet-stream' };

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

const schoolsConfig = () => educationConnector.configSchema.parse({ dataset: 'schools', url: `${server.url}/xxmd/2026.xlsx` });
const noticesConfig = () => educationConnector.configSchema.parse({ dataset: 'enrolment-notices', url: `${server.url}/tzgg/rss.xml` });

describe('education profile: school list (XLSX with group-header rows)', () => {
  it('skips the title, district group rows and the trailing merged blank row', async () => {
    const { records } = await collect(educationConnector.read(schoolsConfig(), undefined, testReadContext()));
    expect(records.map((r) => r.sourceId)).toEqual(['2133000123', '2133000456', '2133007788', '2133010203', '2133010999', '2133020077', '2133020345']);
    expect(records[3]!.data).toMatchObject({ 所在区县: '南浔区' });
  });

  it('maps a school to a service in its district, 公办 when 备注 is empty', async () => {
    const config = schoolsConfig();
    const { records } = await collect(educationConnector.read(config, undefined, testReadContext()));
    const [aishan, , shengshe] = records.map((r) => educationConnector.map(r, config));
    expect(aishan).toMatchObject({
      ok: true,
      record: {
        kind: 'SERVICE',
        department: 'education',
        title: '湖州市爱山小学教育集团',
        orgUnitCodes: ['330502'],
        tags: ['小学', '公办'],
        consultPhone: '0572-2022331',
        implementingAgency: '吴兴区教育局',
      },
    });
    expect(shengshe).toMatchObject({ ok: true, record: { tags: ['小学', '民办'] } });
    const unnamed = educationConnector.map(records[4]!, config);
    expect(unnamed.ok).toBe(false);
  });
});

describe('education profile: enrolment notices (RSS declared gb2312)', () => {
  it('maps notices to policies with the document number and issuer taken from the description', async () => {
    const config = noticesConfig();
    const { records } = await collect(educationConnector.read(config, undefined, testReadContext()));
    expect(records).toHaveLength(3);
    const [opinion, notice, untitled] = records.map((r) => educationConnector.map(r, config));
    expect(opinion).toMatchObject({
      ok: true,
      record: {
        kind: 'POLICY',
        docNumber: '湖政办发〔2026〕9号',
        issuers: ['湖州市人民政府办公室'],
        publishedAt: new Date('2026-05-20T08:30:00.000Z'),
      },
    });
    expect(notice).toMatchObject({ ok: true, record: { docNumber: '湖教发〔2026〕15号', tags: ['招生入学', '学区'], publishedAt: new Date('2026-06-02T01:00:00.000Z') } });
    expect(untitled?.ok).toBe(false);
  });
});

describe('education profile: bad input', () => {
  it('refuses a bad config and a bad state', async () => {
    const bad = educationConnector.configSchema.safeParse(JSON.parse(fixture(import.meta.url, 'bad-config.json').toString('utf8')));
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['headerRow']));
    const state = JSON.parse(fixture(import.meta.url, 'bad-state.json').toString('utf8')) as Record<string, unknown>;
    await expect(collect(educationConnector.read(schoolsConfig(), state, testReadContext()))).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});

describe('education profile on the real MoE university list', () => {
  it('reads it with a feed mapping for its English headers, province group rows carried into each school', async (t) => {
    if (!moeList) return t.skip();
    const config = educationConnector.configSchema.parse({
      dataset: 'schools',
      url: `${server.url}/real/moe.xlsx`,
      headerRow: 1,
      mapping: {
        kind: 'SERVICE',
        constants: { department: 'education', categories: ['高等学校'] },
        fields: [
          { target: 'title', source: 'school' },
          { target: 'implementingAgency', source: 'department' },
          { target: 'summary', source: '所在区县', transforms: [{ op: 'template', template: '所在省份：{value}' }] },
          { target: 'tags[0]', source: 'level' },
          { target: 'tags[1]', source: 'note', transforms: [{ op: 'default', value: '公办' }] },
        ],
      },
    });
    const { records } = await collect(educationConnector.read(config, undefined, testReadContext()));
    expect(records.length).toBeGreaterThan(2700);
    expect(records.every((r) => typeof r.data.school === 'string' && r.data.school !== '')).toBe(true);
    expect(records[0]!.data).toMatchObject({ 所在区县: '北京市' });
    const mapped = records.map((r) => educationConnector.map(r, config));
    expect(mapped.filter((m) => !m.ok)).toEqual([]);
    expect(mapped[0]).toMatchObject({ ok: true, record: { summary: '所在省份：北京市', tags: [expect.any(String), '公办'] } });
  });
});
