import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphqlAs } from './support/graphql.js';
import { consoleUrl, demoPassword, E2E_SETUP_TIMEOUT_MS, loginAs, screenshot, startConsoleE2E, type ConsoleE2E } from './support/index.js';

/**
 * The console in headless Chromium against a hub on the embedded store with the demo data:
 * anonymous visitors are kept out; a department admin signs in, registers a CSV feed served by
 * a local server, previews its mapping, runs it and reads the run's counts; then edits the
 * mapping so the rejected row maps, requeues that row from quarantine, and watches a held sync
 * run finish on the timeline.
 */

// Three rows: two map to services, the second has no name and must be rejected.
const CSV = ['编号,名称,地址,电话', 'JZ-001,吴兴区预防接种门诊,湖州市吴兴区青铜路1号,0572-2011001', 'JZ-002,,湖州市吴兴区无名路2号,0572-2011002', 'JZ-003,南浔区预防接种门诊,湖州市南浔区人瑞路3号,0572-2011003', ''].join('\n');

const MAPPING = {
  kind: 'SERVICE',
  constants: { department: 'health', orgUnitCodes: ['330502'] },
  fields: [
    { target: 'title', source: '名称' },
    { target: 'consultPhone', source: '电话' },
    { target: 'summary', source: '地址' },
  ],
};

let e2e: ConsoleE2E;
let csvServer: Server;
let csvUrl: string;
/** The held CSV stops after its first row until the test calls releaseHeldCsv. */
let releaseHeldCsv: () => void = () => undefined;
const heldCsvReleased = new Promise<void>((resolve) => {
  releaseHeldCsv = resolve;
});

beforeAll(async () => {
  csvServer = createServer((req, res) => {
    if (req.url === '/held.csv') {
      const [header, first, ...rest] = CSV.split('\n');
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' }).write(`${header}\n${first}\n`);
      void heldCsvReleased.then(() => res.end(rest.join('\n')));
      return;
    }
    if (req.url !== '/vaccination-sites.csv') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8' }).end(CSV);
  });
  csvServer.listen(0, '127.0.0.1');
  await once(csvServer, 'listening');
  csvUrl = `http://127.0.0.1:${(csvServer.address() as AddressInfo).port}/vaccination-sites.csv`;
  e2e = await startConsoleE2E();
}, E2E_SETUP_TIMEOUT_MS);

afterAll(async () => {
  releaseHeldCsv();
  await e2e?.close();
  csvServer?.close();
});

/** GraphQL answers a page received, to show what reached it. */
function graphQLResponses(page: Page): string[] {
  const bodies: string[] = [];
  page.on('response', (response) => {
    if (new URL(response.url()).pathname === '/graphql') void response.text().then((body) => bodies.push(body), () => undefined);
  });
  return bodies;
}

describe('an anonymous visitor', () => {
  it('is sent to the login page from a deep link and is shown no data', async () => {
    const page = await e2e.newPage();
    const responses = graphQLResponses(page);
    await page.goto(consoleUrl('/feeds'));
    await page.waitForURL(/\/console\/login$/);
    await page.getByRole('button', { name: /登\s*录/ }).waitFor();
    await screenshot(page, 'login');
    expect(await page.getByText('演示·卫健').count()).toBe(0);
    expect(await page.getByTestId('current-user').count()).toBe(0);
    // The console asked the hub for nothing, and the hub refuses anyway.
    expect(responses).toEqual([]);
    const direct = await page.evaluate(async () => {
      const response = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ feeds { name } }' }) });
      return (await response.json()) as { data?: { feeds?: unknown } | null; errors?: { extensions?: { code?: string } }[] };
    });
    expect(direct.data?.feeds ?? null).toBeNull();
    expect(direct.errors?.length).toBeGreaterThan(0);
  });

  it('with a forged token is signed out and sent to the login page', async () => {
    const page = await e2e.newPage();
    await page.goto(consoleUrl('/login'));
    // Evaluated in the page (as strings: the tests' tsconfig has no DOM types).
    await page.evaluate("localStorage.setItem('gx.console.token', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.forged')");
    await page.goto(consoleUrl('/feeds'));
    await page.waitForURL(/\/console\/login$/);
    expect(await page.evaluate("localStorage.getItem('gx.console.token')")).toBeNull();
    expect(await page.getByText('演示·卫健').count()).toBe(0);
  });
});

describe('a department admin (卫健)', () => {
  let page: Page;

  beforeAll(async () => {
    page = await e2e.newPage();
  });

  it('signs in and sees their role and department', async () => {
    await loginAs(page, 'health-admin', demoPassword('health-admin'));
    expect(new URL(page.url()).pathname).toMatch(/^\/console\/?$/);
    expect(await page.getByTestId('viewer-roles').innerText()).toContain('部门管理员');
    await page.getByRole('cell', { name: '卫生健康' }).waitFor();
    // Feed pages are in the menu; the analyst's reports are not.
    await page.getByRole('link', { name: '数据源' }).first().waitFor();
    expect(await page.getByRole('navigation').getByRole('link', { name: '统计报表' }).count()).toBe(0);
    // English on demand, remembered; back to Chinese.
    await page.getByRole('button', { name: 'Switch to English' }).click();
    await page.getByRole('heading', { name: 'My account' }).waitFor();
    await page.reload();
    await page.getByTestId('viewer-roles').filter({ hasText: 'Department admin' }).waitFor();
    await page.getByRole('button', { name: '切换到中文' }).click();
    await page.getByRole('heading', { name: '我的账户' }).waitFor();
  });

  it('registers a CSV feed, previews the mapping, runs it and sees the run counts', async () => {
    await page.getByRole('navigation').getByRole('link', { name: '数据源' }).click();
    await page.getByRole('link', { name: '演示·卫健 预防接种门诊一览表' }).waitFor();
    await screenshot(page, 'feeds');

    await page.getByRole('button', { name: '注册数据源' }).click();
    await page.getByLabel('名称', { exact: true }).fill('e2e 卫健 接种门诊 CSV');
    await page.getByRole('combobox', { name: '连接器' }).click();
    await page.keyboard.type('csv');
    // antd lists options for screen readers off-screen; the keyboard picks the filtered one.
    await page.getByRole('option', { name: /（csv）$/ }).waitFor({ state: 'attached' });
    await page.keyboard.press('Enter');
    // The connector's settings: a form generated from its JSON Schema.
    await page.getByLabel('url', { exact: true }).fill(csvUrl);
    await page.getByLabel('idPath', { exact: true }).fill('编号');
    await page.keyboard.press('Enter');
    await page.getByRole('tab', { name: 'JSON' }).click();
    await page.getByTestId('mapping-json').fill(JSON.stringify(MAPPING, null, 2));

    // The live dry run: mapped records beside the rejected one.
    const summary = page.getByTestId('preview-summary');
    await summary.filter({ hasText: '读取 3 条' }).waitFor();
    expect(await summary.innerText()).toContain('映射成功 2 条，被拒 1 条');
    const mapped = await page.getByTestId('preview-mapped').innerText();
    expect(mapped).toContain('吴兴区预防接种门诊');
    expect(mapped).toContain('南浔区预防接种门诊');
    const rejected = await page.getByTestId('preview-rejected').innerText();
    expect(rejected).toContain('JZ-002');
    expect(rejected).not.toContain('JZ-001');
    await page.getByTestId('preview-summary').scrollIntoViewIfNeeded();
    await page.mouse.wheel(0, 300);
    await screenshot(page, 'feed-editor');

    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page.waitForURL(/\/console\/feeds\/[^/]+$/);
    await page.getByRole('heading', { name: /e2e 卫健 接种门诊 CSV/ }).waitFor();

    await page.getByRole('button', { name: /立即同步：e2e 卫健 接种门诊 CSV/ }).click();
    const run = page.locator('[data-testid="sync-run"][data-status="PARTIAL"]');
    await run.waitFor();
    const counts = Object.fromEntries(
      await Promise.all((['fetched', 'created', 'updated', 'quarantined'] as const).map(async (key) => [key, Number(await run.getByTestId(`run-${key}`).innerText())] as const)),
    );
    expect(counts).toEqual({ fetched: 3, created: 2, updated: 0, quarantined: 1 });

    // Pause: the badge says so and run now is off; resume brings both back.
    const heading = page.getByRole('heading', { name: /e2e 卫健 接种门诊 CSV/ });
    await page.getByRole('button', { name: '暂停：e2e 卫健 接种门诊 CSV' }).click();
    await heading.filter({ hasText: '已暂停' }).waitFor();
    expect(await page.getByRole('button', { name: /立即同步：e2e 卫健 接种门诊 CSV/ }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: '恢复：e2e 卫健 接种门诊 CSV' }).click();
    await heading.filter({ hasText: '运行中' }).waitFor();
    expect(await page.getByRole('button', { name: /立即同步：e2e 卫健 接种门诊 CSV/ }).isDisabled()).toBe(false);

    // The rejected row waits in quarantine: its raw record beside the reason.
    await page.getByRole('main').getByRole('link', { name: '隔离区' }).click();
    await page.getByRole('button', { name: '选择 JZ-002' }).waitFor();
    expect(await page.getByTestId('quarantine-raw').innerText()).toContain('湖州市吴兴区无名路2号');
    expect((await page.getByTestId('quarantine-reasons').innerText()).length).toBeGreaterThan(0);
    await screenshot(page, 'quarantine');

    await page.goBack();
    await page.getByRole('link', { name: '查看全部同步记录' }).click();
    await page.locator('[data-testid="sync-run"][data-status="PARTIAL"]').waitFor();
    await screenshot(page, 'runs');
  }, 180_000);

  it('edits the mapping so the rejected row maps, then requeues it from quarantine', async () => {
    await page.getByRole('navigation').getByRole('link', { name: '数据源' }).click();
    await page.getByRole('link', { name: 'e2e 卫健 接种门诊 CSV' }).click();
    await page.getByRole('link', { name: '编辑' }).click();
    await page.waitForURL(/\/console\/feeds\/[^/]+\/edit$/);
    const feedId = /\/feeds\/([^/]+)\/edit$/.exec(new URL(page.url()).pathname)![1]!;
    // The structured form, generated from the mapping's JSON Schema, opens on the saved rules;
    // a default for the title is added through it (its value is a JSON field).
    const titleRule = page.getByRole('group', { name: 'fields #1' });
    expect(await titleRule.getByLabel('target', { exact: true }).inputValue()).toBe('title');
    await titleRule.getByRole('button', { name: /添\s*加/ }).click();
    const transform = titleRule.getByRole('group', { name: 'transforms #1' });
    await transform.getByRole('combobox', { name: 'op' }).focus();
    await page.keyboard.type('default');
    await page.getByRole('option', { name: 'default', exact: true }).waitFor({ state: 'attached' });
    await page.keyboard.press('Enter');
    const value = transform.getByLabel('value', { exact: true });
    await value.fill('"未命名接种点');
    await transform.getByText('JSON 格式无效').waitFor();
    await value.fill('"未命名接种点"');
    await page.getByTestId('preview-summary').filter({ hasText: '映射成功 3 条，被拒 0 条' }).waitFor();
    // The JSON view shows what the form built.
    await page.getByRole('tab', { name: 'JSON' }).click();
    const expected = { ...MAPPING, fields: MAPPING.fields.map((field) => (field.target === 'title' ? { ...field, transforms: [{ op: 'default', value: '未命名接种点' }] } : field)) };
    expect(JSON.parse(await page.getByTestId('mapping-json').inputValue())).toMatchObject({ fields: expected.fields });
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page.waitForURL(/\/console\/feeds\/[^/]+$/);

    await page.getByRole('main').getByRole('link', { name: '隔离区' }).click();
    await page.getByRole('button', { name: '选择 JZ-002' }).click();
    await page.getByRole('button', { name: '重新处理', exact: true }).click();
    await page.getByText('已重新处理：成功').waitFor();
    await page.getByText('没有被隔离的记录').waitFor();

    // Checked through the API: the entry is resolved and the requeue run created the service.
    const { feed } = await graphqlAs<{ feed: { quarantine: { sourceId: string }[]; syncRuns: { trigger: string; status: string; stats: { created: number; quarantined: number } }[] } }>(
      page,
      'query($id: ID!) { feed(id: $id) { quarantine(status: OPEN, first: 10) { sourceId } syncRuns(first: 1) { trigger status stats { created quarantined } } } }',
      { id: feedId },
    );
    expect(feed.quarantine).toEqual([]);
    expect(feed.syncRuns[0]).toEqual({ trigger: 'REQUEUE', status: 'SUCCEEDED', stats: { created: 1, quarantined: 0 } });
  }, 180_000);

  it('shows a sync as running while it runs, and its counts when it ends, without a reload', async () => {
    const { registerFeed } = await graphqlAs<{ registerFeed: { feed: { id: string } } }>(
      page,
      'mutation($input: RegisterFeedInput!) { registerFeed(input: $input) { feed { id } } }',
      {
        input: {
          name: 'e2e 卫健 慢速 CSV',
          department: 'health',
          connector: 'csv',
          config: { url: csvUrl.replace('vaccination-sites.csv', 'held.csv'), idPath: '编号' },
          mapping: MAPPING,
          targetKind: 'SERVICE',
        },
      },
    );
    await page.goto(consoleUrl(`/feeds/${encodeURIComponent(registerFeed.feed.id)}`));
    await page.getByRole('button', { name: /立即同步：e2e 卫健 慢速 CSV/ }).click();
    const running = page.locator('[data-testid="sync-run"][data-status="RUNNING"]');
    await running.getByRole('status').waitFor();
    releaseHeldCsv();
    // The timeline polls while a run is running: the same page shows the outcome.
    const done = page.locator('[data-testid="sync-run"][data-status="PARTIAL"]');
    await done.waitFor();
    expect(await done.getByTestId('run-fetched').innerText()).toBe('3');
    expect(await running.count()).toBe(0);
  }, 180_000);
});
