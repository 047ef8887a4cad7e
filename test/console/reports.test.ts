import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphqlAs } from './support/graphql.js';
import { consoleUrl, demoPassword, E2E_SETUP_TIMEOUT_MS, loginAs, screenshot, startConsoleE2E, type ConsoleE2E } from './support/index.js';

/**
 * The analyst's console, in a real browser against a demo hub: a department × district pivot
 * drawn as a bar chart beside its table, saved, exported as CSV (checked against the table),
 * snapshotted as a trend; and the coverage matrix as a heat map.
 */

const REPORT_NAME = '部门×区县资源分布';

let e2e: ConsoleE2E;
let page: Page;

/** The texts of the visible rows of the report table (header first). */
async function tableTexts(): Promise<{ header: string[]; rows: string[][] }> {
  const table = page.locator('.ant-card', { hasText: '数据表' }).locator('table').first();
  const header = await table.locator('thead th').allInnerTexts();
  const rows = await Promise.all((await table.locator('tbody tr.ant-table-row').all()).map((row) => row.locator('td').allInnerTexts()));
  return { header: header.map((text) => text.trim()), rows: rows.map((cells) => cells.map((text) => text.trim())) };
}

/** The same pivot through the API as the signed-in analyst: the district labels the chart should draw as series. */
async function districtsInReport(): Promise<string[]> {
  const query = 'query { report(input: { measures: [RESOURCE_COUNT], dimensions: [{ by: DEPARTMENT }, { by: ORG_UNIT, level: 2 }] }) { rows { cells gap } } }';
  const { report } = await graphqlAs<{ report: { rows: { cells: unknown[]; gap: boolean }[] } }>(page, query);
  return [...new Set(report.rows.filter((row) => !row.gap).map((row) => String(row.cells[1])))];
}

beforeAll(async () => {
  e2e = await startConsoleE2E();
  page = await e2e.newPage();
  await loginAs(page, 'analyst', demoPassword('analyst'));
}, E2E_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await e2e?.close();
});

describe('reports', () => {
  it('builds a department × district pivot and draws it as a bar chart with one series per district', async () => {
    await page.goto(consoleUrl('/reports'));
    await page.getByRole('heading', { name: '统计报表' }).waitFor();
    // The builder starts at 资源数 by 部门; the second dimension defaults to org units at district level.
    await page.getByRole('button', { name: /添加维度/ }).click();
    await page.getByRole('combobox', { name: '维度 2' }).waitFor();
    expect(await page.locator('.ant-form-item', { hasText: '组织层级' }).locator('.ant-select-selection-item').innerText()).toBe('区县级');
    await page.getByRole('button', { name: '生成报表' }).click();

    const chart = page.locator('figure[data-chart-kind="bar"]');
    await chart.locator('svg').waitFor();
    const districts = await districtsInReport();
    expect(districts).toEqual(expect.arrayContaining(['吴兴区', '南浔区', '德清县']));
    expect(Number(await chart.getAttribute('data-series-count'))).toBe(districts.length);
    const labels = await chart.locator('svg text').allTextContents();
    for (const district of districts) expect(labels).toContain(district);
    // Bars are filled paths; an empty chart draws none.
    const bars = await chart.locator('svg path[fill]:not([fill="none"])').count();
    expect(bars).toBeGreaterThan(districts.length);

    const { header, rows } = await tableTexts();
    expect(header).toEqual(['部门 / Department', '组织 / Org unit L2', '资源数 / Resources']);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((cells) => cells[1] === '吴兴区' && Number(cells[2]) > 0)).toBe(true);
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'reports');
  });

  it('saves the report and downloads it as CSV: BOM, header and rows as the table shows them', async () => {
    await page.getByRole('button', { name: /保存报表/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('报表名称').fill(REPORT_NAME);
    await dialog.getByRole('button', { name: /保存报表/ }).click();
    await page.getByRole('heading', { name: REPORT_NAME }).waitFor();
    await page.locator('figure[data-chart-kind="bar"] svg').waitFor();
    const { header, rows } = await tableTexts();
    const caption = await page.getByText(/^报表数据：\d+ 行$/).innerText();
    const total = Number(caption.match(/(\d+) 行/)![1]);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: /导出 CSV/ }).click()]);
    expect(download.suggestedFilename()).toMatch(/^report-[0-9a-f]{24}\.csv$/);
    const bytes = await readFile((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').split('\r\n').filter((line) => line.length > 0);
    expect(lines[0]).toBe(header.join(','));
    expect(lines).toHaveLength(total + 1);
    expect(lines[1]).toBe(rows[0]!.join(','));
    expect(lines).toContain(rows[rows.length - 1]!.join(','));
  });

  it('takes a snapshot and shows the snapshots as a trend line', async () => {
    await page.getByText('暂无快照。设置定时快照或点击“立即快照”。').waitFor();
    await page.getByRole('button', { name: /立即快照/ }).click();
    await page.getByText('已生成快照').waitFor();
    const trend = page.locator('figure[data-chart-kind="line"]');
    await trend.locator('svg').waitFor();
    expect(Number(await trend.getAttribute('data-series-count'))).toBe(1);
    expect(await page.getByRole('table', { name: '快照合计值随时间的变化' }).locator('tbody tr.ant-table-row').count()).toBe(1);
  });

  it('draws the built-in coverage matrix as a heat map', async () => {
    await page.goto(consoleUrl('/reports'));
    await page.locator('.ant-segmented-item', { hasText: '内置报表' }).click();
    await page.getByRole('combobox', { name: '内置报表' }).waitFor();
    await page.getByRole('button', { name: '生成报表' }).click();
    const heatmap = page.locator('figure[data-chart-kind="heatmap"]');
    await heatmap.locator('svg').waitFor();
    const labels = await heatmap.locator('svg text').allTextContents();
    expect(labels).toEqual(expect.arrayContaining(['朝阳街道', '织里镇']));
  });
});
