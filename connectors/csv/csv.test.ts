import iconv from 'iconv-lite';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, fixture, realSample, startLocalServer, testReadContext, type Handler, type LocalServer } from '../testing/index.js';
import { csvConfigSchema, csvConnector } from './index.js';

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
async function serve(handler: Handler): Promise<LocalServer> {
  const server = await startLocalServer(handler);
  servers.push(server);
  return server;
}
async function serveBytes(body: Uint8Array | string, type = 'text/csv'): Promise<LocalServer> {
  return serve((_req, res) => {
    res.setHeader('content-type', type);
    res.end(body);
  });
}
const statsMapping = {
  kind: 'POLICY',
  constants: { department: 'health', categories: ['卫生统计'] },
  fields: [
    { target: 'title', source: 'column1', transforms: [{ op: 'template', template: '{value}医疗卫生机构数' }] },
    { target: 'summary', source: '医疗卫生机构数' },
    { target: 'publishedAt', source: 'column1', transforms: [{ op: 'regex', pattern: '(\\d{4})' }, { op: 'template', template: '{value}年12月31日' }, { op: 'date' }] },
  ],
};
function config(input: Record<string, unknown>) {
  return csvConfigSchema.parse({ mapping: statsMapping, ...input });
}

describe('csv connector on real samples', () => {
  it.each(['csv-cn-nbs-health-institutions-by-year.csv', 'csv-cn-nbs-health-institutions-by-year.gb18030.csv'])(
    'reads %s (empty first header cell, float counts) with the encoding detected',
    async (name) => {
      const sample = realSample(name);
      if (!sample) return; // realSample() printed why
      const server = await serveBytes(sample, 'text/csv');
      const cfg = config({ url: `${server.url}/${name}`, idPath: 'column1' });
      const result = await collect(csvConnector.read(cfg, undefined, testReadContext()));
      expect(result.records).toHaveLength(37);
      expect(result.events.at(-1)).toBe('complete');
      const first = result.records[0]!;
      expect(first.sourceId).toBe('1978年');
      expect(first.data).toMatchObject({ column1: '1978年', 医疗卫生机构数: '169732.0', '专科疾病防治院(所/站)数': '887.0', 专业公共卫生机构数: '' });
      const mapped = csvConnector.map(first, cfg);
      expect(mapped).toMatchObject({ ok: true, record: { title: '1978年医疗卫生机构数', summary: '169732.0' } });
    },
  );

  it('reads the NBS lawyers/notary/mediation table identically from UTF-8 and GB18030', async () => {
    const utf8 = realSample('csv-cn-nbs-lawyers-notary-mediation-by-year.csv');
    const gb = realSample('csv-cn-nbs-lawyers-notary-mediation-by-year.gb18030.csv');
    if (!utf8 || !gb) return;
    const read = async (bytes: Buffer) => {
      const server = await serveBytes(bytes, 'text/csv');
      return collect(csvConnector.read(config({ url: `${server.url}/lawyers.csv`, idPath: 'column1' }), undefined, testReadContext()));
    };
    const [a, b] = [await read(utf8), await read(gb)];
    expect(a.records).toHaveLength(37);
    expect(a.records[0]?.data).toHaveProperty('人民调解委员会');
    expect(b.records.map((record) => record.data)).toEqual(a.records.map((record) => record.data));
  });

  it('keeps hierarchical division codes as text in both encodings', async (t) => {
    const utf8 = realSample('csv-cn-admin-divisions-areas-modood.csv');
    const gb = realSample('csv-cn-admin-divisions-areas-modood.gb18030.csv');
    if (!utf8 || !gb) return t.skip();
    const read = async (bytes: Buffer) => {
      const server = await serveBytes(bytes, 'application/octet-stream');
      return collect(csvConnector.read(config({ url: `${server.url}/areas.csv`, idPath: 'code' }), undefined, testReadContext()));
    };
    const [a, b] = [await read(utf8), await read(gb)];
    expect(a.records).toHaveLength(50);
    expect(a.records[0]).toMatchObject({ sourceId: '110101', data: { code: '110101', name: '东城区', cityCode: '1101', provinceCode: '11' } });
    expect(b.records.map((record) => record.data)).toEqual(a.records.map((record) => record.data));
  });
});

describe('csv encodings and layout', () => {
  const text = '编号,名称\n007,法律援助中心\n0042,人民调解委员会\n';
  it.each([
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), 'text/csv'],
    ['UTF-16LE with BOM', iconv.encode(text, 'utf-16le', { addBOM: true }), 'text/csv'],
    ['UTF-16BE with BOM', iconv.encode(text, 'utf-16be', { addBOM: true }), 'text/csv'],
    ['GBK labelled gb2312', iconv.encode(text, 'gbk'), 'text/csv; charset=gb2312'],
    ['GB18030 unlabelled', iconv.encode(text, 'gb18030'), 'text/csv'],
  ])('%s', async (_label, bytes, type) => {
    const server = await serveBytes(bytes, type);
    const result = await collect(csvConnector.read(config({ url: `${server.url}/x.csv`, idPath: '编号' }), undefined, testReadContext()));
    expect(result.records.map((record) => [record.sourceId, record.data.名称])).toEqual([
      ['007', '法律援助中心'],
      ['0042', '人民调解委员会'],
    ]);
  });

  it('uses a configured encoding over sniffing', async () => {
    const server = await serveBytes(iconv.encode('名稱\n公證處\n', 'big5'));
    const result = await collect(csvConnector.read(config({ url: `${server.url}/x.csv`, encoding: 'big5' }), undefined, testReadContext()));
    expect(result.records[0]?.data).toEqual({ 名稱: '公證處' });
  });

  it('handles a delimiter, a units row, a totals row and full-width digits', async () => {
    const server = await serveBytes(fixture(import.meta.url, 'health-services-semicolon-bom.csv'));
    const cfg = csvConfigSchema.parse({
      url: `${server.url}/services.csv`,
      delimiter: ';',
      skipRowsAfterHeader: 1,
      skipRowsWhere: [{ column: '事项编码', pattern: '^合计$' }],
      idPath: '事项编码',
      mapping: {
        kind: 'SERVICE',
        constants: { department: 'health' },
        fields: [
          { target: 'itemCode', source: '事项编码' },
          { target: 'title', source: '事项名称' },
          { target: 'materials', source: '申报材料', transforms: [{ op: 'split' }] },
          { target: 'timeLimitDays', source: '承诺时限', transforms: [{ op: 'number', integer: true }] },
        ],
      },
    });
    const result = await collect(csvConnector.read(cfg, undefined, testReadContext()));
    expect(result.records.map((record) => record.sourceId)).toEqual(['000123', '000456']);
    expect(csvConnector.map(result.records[0]!, cfg)).toMatchObject({
      ok: true,
      record: { sourceId: '000123', itemCode: '000123', materials: ['身份证', '出生医学证明'], timeLimitDays: 15 },
    });
  });

  it('reads a header further down, and explicit columns without a header', async () => {
    const server = await serveBytes('某区司法局公共法律服务点一览表\n制表日期：2024年1月\n名称,地址\n甲街道工作站,甲路1号\n');
    const headed = await collect(csvConnector.read(config({ url: `${server.url}/a.csv`, headerRow: 3 }), undefined, testReadContext()));
    expect(headed.records.map((record) => record.data)).toEqual([{ 名称: '甲街道工作站', 地址: '甲路1号' }]);
    const bare = await serveBytes('甲,1\n乙,2\n');
    const named = await collect(csvConnector.read(config({ url: `${bare.url}/b.csv`, headerRow: 0, columns: ['name', 'n'] }), undefined, testReadContext()));
    expect(named.records.map((record) => record.data)).toEqual([{ name: '甲', n: '1' }, { name: '乙', n: '2' }]);
  });

  it('streams: the first record arrives before the source has finished sending (past the 64 KiB sniff window)', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let finished = false;
    const server = await serve(async (_req, res) => {
      res.write('id,name\n');
      for (let i = 0; i < 20_000; i++) res.write(`${i},row ${i}\n`);
      await gate;
      res.end('last,row\n');
      finished = true;
    });
    const events = csvConnector.read(config({ url: `${server.url}/big.csv`, idPath: 'id' }), undefined, testReadContext());
    let count = 0;
    for await (const event of events) {
      if (event.type !== 'record') continue;
      count += 1;
      if (count === 1) {
        expect(finished).toBe(false);
        release();
      }
    }
    expect(count).toBe(20_001);
    expect(finished).toBe(true);
  });

  it('reports a malformed CSV as bad source data, without complete', async () => {
    const server = await serveBytes('id,name\n1,"unclosed\n');
    const events: string[] = [];
    const error = await (async () => {
      for await (const event of csvConnector.read(config({ url: `${server.url}/bad.csv` }), undefined, testReadContext())) events.push(event.type);
    })().catch((caught: unknown) => caught);
    expect(error).toMatchObject({ errorClass: 'source_data', message: expect.stringContaining('CSV') });
    expect(events).not.toContain('complete');
  });
});

describe('csv bad config and bad state', () => {
  it('rejects the bad config fixture with reasons', () => {
    const result = csvConfigSchema.safeParse(JSON.parse(fixture(import.meta.url, 'bad-config.json').toString()));
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['url', 'encoding', 'delimiter', 'mapping.timezone']));
  });

  it('rejects a state it never writes', async () => {
    const cfg = config({ url: 'http://127.0.0.1:9/x.csv' });
    const state = JSON.parse(fixture(import.meta.url, 'bad-state.json').toString()) as Record<string, unknown>;
    await expect(collect(csvConnector.read(cfg, state, testReadContext()))).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
