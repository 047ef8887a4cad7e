import ExcelJS from 'exceljs';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, fixture, realSample, startLocalServer, testReadContext, type LocalServer } from '../testing/index.js';
import { xlsxConfigSchema, xlsxConnector } from './index.js';

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
async function serveBody(body: Uint8Array | string): Promise<LocalServer> {
  const server = await startLocalServer((_req, res) => {
    res.setHeader('content-type', XLSX_TYPE);
    res.end(body);
  });
  servers.push(server);
  return server;
}
const schoolMapping = {
  kind: 'SERVICE',
  constants: { department: 'education', categories: ['高等学校'] },
  fields: [
    { target: 'title', source: 'school' },
    { target: 'implementingAgency', source: 'department' },
    { target: 'tags', source: ['note'], transforms: [{ op: 'default', value: '公办' }] },
    { target: 'locations[0].address', source: 'city' },
  ],
};
const config = (input: Record<string, unknown>) => xlsxConfigSchema.parse({ mapping: schoolMapping, ...input });

describe('xlsx connector on real samples', () => {
  it('reads the MoE university list, skipping 31 province group-header rows', async () => {
    const sample = realSample('xlsx-cn-moe-national-universities-list.xlsx');
    if (!sample) return;
    const server = await serveBody(sample);
    const cfg = config({ url: `${server.url}/全国普通高等学校名单.xlsx`, idPath: 'school', groupHeaderColumn: 'group' });
    const result = await collect(xlsxConnector.read(cfg, undefined, testReadContext()));
    expect(result.records).toHaveLength(2788 - 1 - 31);
    expect(result.records.some((record) => record.data.school === undefined)).toBe(false);
    expect(result.records[0]).toMatchObject({ sourceId: '北京大学', data: { province: '北京市', school: '北京大学', department: '教育部', level: '本科', group: '北京市' } });
    expect(result.events.at(-1)).toBe('complete');
    expect(xlsxConnector.map(result.records[0]!, cfg)).toMatchObject({ ok: true, record: { title: '北京大学', tags: ['公办'], implementingAgency: '教育部' } });
    const privateCollege = result.records.find((record) => record.data.school === '首都师范大学科德学院');
    expect(xlsxConnector.map(privateCollege!, cfg)).toMatchObject({ ok: true, record: { tags: ['民办'] } });
  });

  it('reads the Shandong cut-off sheet: empty leading column, trailing blank merged row', async () => {
    const sample = realSample('xlsx-cn-shandong-admissions-cutoff-2023.trimmed.xlsx');
    if (!sample) return;
    const server = await serveBody(sample);
    const cfg = config({ url: `${server.url}/cutoff.xlsx`, idPath: ['院校', '专业'] });
    const result = await collect(xlsxConnector.read(cfg, undefined, testReadContext()));
    expect(result.records).toHaveLength(60);
    expect(result.records[0]).toMatchObject({
      sourceId: 'A001北京大学|16文科试验班类(文科基础类专业)',
      data: { 专业: '16文科试验班类(文科基础类专业)', 院校: 'A001北京大学', 投档计划数: 25, 投档最低位次: 181 },
    });
    expect(Object.keys(result.records[0]!.data)).toEqual(['专业', '院校', '投档计划数', '投档最低位次']);
  });
});

async function departmentWorkbook(): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  workbook.addWorksheet('说明').addRow(['本表由区卫健局提供']);
  const sheet = workbook.addWorksheet('服务事项');
  sheet.addRow(['区卫生健康局公共服务事项清单']);
  sheet.mergeCells('A1:E1');
  sheet.addRow([]);
  sheet.addRow(['事项编码', '事项名称', '办理时限', '更新日期', '材料']);
  sheet.addRow(['000123', { richText: [{ text: '预防接种' }, { text: '证补办', font: { bold: true } }] }, '１５', new Date(Date.UTC(2024, 4, 1)), '身份证；接种证']);
  sheet.addRow(['000124', '出生医学证明签发', { formula: '2+3', result: 5 }, new Date(Date.UTC(2024, 4, 2)), '']);
  const buffer = await workbook.xlsx.writeBuffer();
  return new Uint8Array(buffer as ArrayBuffer);
}

describe('xlsx layout', () => {
  it('chooses a sheet by name, reads a header further down, keeps text ids and plain cell values', async () => {
    const server = await serveBody(await departmentWorkbook());
    const cfg = xlsxConfigSchema.parse({
      url: `${server.url}/services.xlsx`,
      sheet: '服务事项',
      headerRow: 3,
      idPath: '事项编码',
      mapping: {
        kind: 'SERVICE',
        constants: { department: 'health' },
        fields: [
          { target: 'itemCode', source: '事项编码' },
          { target: 'title', source: '事项名称' },
          { target: 'timeLimitDays', source: '办理时限', transforms: [{ op: 'number', integer: true }] },
          { target: 'materials', source: '材料', transforms: [{ op: 'split' }] },
        ],
      },
    });
    const result = await collect(xlsxConnector.read(cfg, undefined, testReadContext()));
    expect(result.records.map((record) => record.sourceId)).toEqual(['000123', '000124']);
    expect(result.records[0]?.data).toMatchObject({ 事项名称: '预防接种证补办', 更新日期: '2024-05-01' });
    expect(result.records[1]?.data.办理时限).toBe(5);
    expect(xlsxConnector.map(result.records[0]!, cfg)).toMatchObject({ ok: true, record: { itemCode: '000123', timeLimitDays: 15, materials: ['身份证', '接种证'] } });
    const byIndex = await collect(xlsxConnector.read(xlsxConfigSchema.parse({ ...cfg, sheet: 1, headerRow: 1 }), undefined, testReadContext()));
    expect(byIndex.records).toHaveLength(0);
  });

  it('reports a missing sheet and a file that is not xlsx as bad source data', async () => {
    const server = await serveBody(await departmentWorkbook());
    await expect(collect(xlsxConnector.read(config({ url: `${server.url}/a.xlsx`, sheet: '不存在' }), undefined, testReadContext()))).rejects.toMatchObject({
      errorClass: 'source_data',
      message: expect.stringContaining('不存在'),
    });
    const junk = await serveBody('序号,名称\n1,这其实是 CSV\n');
    await expect(collect(xlsxConnector.read(config({ url: `${junk.url}/b.xlsx` }), undefined, testReadContext()))).rejects.toMatchObject({ errorClass: 'source_data' });
  });

  it('rejects the bad config and bad state fixtures', async () => {
    const bad = xlsxConfigSchema.safeParse(JSON.parse(fixture(import.meta.url, 'bad-config.json').toString()));
    expect(bad.error?.issues.map((issue) => issue.path.join('.'))).toEqual(expect.arrayContaining(['sheet', 'headerRow', 'skipRowsWhere.0.pattern', 'mapping.fields']));
    const state = JSON.parse(fixture(import.meta.url, 'bad-state.json').toString()) as Record<string, unknown>;
    await expect(collect(xlsxConnector.read(config({ url: 'http://127.0.0.1:9/x.xlsx' }), state, testReadContext()))).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
