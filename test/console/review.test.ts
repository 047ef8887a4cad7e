import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphqlAs } from './support/graphql.js';
import { consoleUrl, demoPassword, E2E_SETUP_TIMEOUT_MS, loginAs, screenshot, startConsoleE2E, type ConsoleE2E } from './support/index.js';

/**
 * The reviewer's console, in a real browser against a demo hub: the review queue (a revision's
 * diff, 点评, approval through the three stages), then the published result in resource search
 * and detail (provenance, versions), and the org tree (what applies to a community, INHERITED).
 */

const REVISED = '家庭医生签约服务';
const NEW_PHONE = '0572-2229120';
const SUBMITTED = '老年人助餐服务补贴申领';

let e2e: ConsoleE2E;
let page: Page;
let resourceId: string;

interface CaseView {
  state: string;
  stage: string | null;
  decisions: { reviewer: string; stage: string; outcome: string; comment: string }[];
}

/** The resource's review cases, read through the API as the signed-in reviewer. */
async function reviewHistory(id: string): Promise<CaseView[]> {
  const query = 'query($id: ID!) { reviewHistory(resourceId: $id) { state stage decisions { reviewer stage outcome comment } } }';
  return (await graphqlAs<{ reviewHistory: CaseView[] }>(page, query, { id })).reviewHistory;
}

/** Opens a queue item from the keyboard: its title is a labelled button. */
async function openCase(title: string): Promise<void> {
  await page.getByRole('button', { name: `查看 ${title}`, exact: true }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: /^通\s*过$/ }).waitFor();
}

async function approve(comment: string, stage: string): Promise<void> {
  await page.getByLabel('审核意见').fill(comment);
  await page.getByRole('button', { name: /^通\s*过$/ }).click();
  await page.getByText(`已通过（${stage}）`).waitFor();
}

beforeAll(async () => {
  e2e = await startConsoleE2E();
  page = await e2e.newPage();
  await loginAs(page, 'reviewer', demoPassword('reviewer'));
}, E2E_SETUP_TIMEOUT_MS);

afterAll(async () => {
  await e2e?.close();
});

describe('review queue', () => {
  it('lists the pending items by stage, and shows a revision as a diff against the published content', async () => {
    await page.goto(consoleUrl('/review'));
    await page.getByRole('heading', { name: '审核队列' }).waitFor();
    await page.getByRole('table', { name: '待审列表' }).waitFor();
    // The demo seeds three new submissions and two revisions, all at the first stage.
    await page.getByRole('button', { name: `查看 ${REVISED}`, exact: true }).waitFor();
    expect(await page.getByRole('button', { name: /^查看 / }).count()).toBeGreaterThanOrEqual(5);
    await openCase(REVISED);
    const href = await page.locator('.ant-card-head').getByRole('link', { name: REVISED }).getAttribute('href');
    resourceId = decodeURIComponent(href!.split('/resources/')[1]!);
    const phoneRow = page.getByRole('row', { name: /咨询电话/ });
    await expect.poll(() => phoneRow.innerText()).toContain(NEW_PHONE);
    expect(await phoneRow.locator('del').innerText()).not.toContain(NEW_PHONE);
    await screenshot(page, 'review');
  });

  it('posts a comment (点评) on the item', async () => {
    await page.getByLabel('点评内容').fill('咨询电话已与卫健局核实。');
    await page.getByRole('button', { name: '发表点评' }).click();
    await page.getByText('咨询电话已与卫健局核实。').waitFor();
  });

  it('approves the revision at each stage; the last approval publishes it', async () => {
    await approve('内容准确，同意。', '初审');
    let cases = await reviewHistory(resourceId);
    expect(cases[0]).toMatchObject({ state: 'IN_REVIEW', stage: '复审' });
    expect(cases[0]!.decisions).toEqual([{ reviewer: 'reviewer', stage: '初审', outcome: 'APPROVE', comment: '内容准确，同意。' }]);
    for (const stage of ['复审', '终审']) {
      await page.locator('.ant-segmented-item', { hasText: stage }).click();
      await openCase(REVISED);
      await approve(`${stage}同意`, stage);
    }
    cases = await reviewHistory(resourceId);
    expect(cases[0]).toMatchObject({ state: 'APPROVED', stage: null });
    expect(cases[0]!.decisions.map((decision) => decision.stage)).toEqual(['初审', '复审', '终审']);
  });

  it('will not reject without a reason, and rejects a new submission with one', async () => {
    await page.locator('.ant-segmented-item', { hasText: '初审' }).click();
    await openCase(SUBMITTED);
    const href = await page.locator('.ant-card-head').getByRole('link', { name: SUBMITTED }).getAttribute('href');
    const submittedId = decodeURIComponent(href!.split('/resources/')[1]!);
    await page.getByRole('button', { name: /^退\s*回$/ }).click();
    await page.getByText('退回必须说明理由').first().waitFor();
    expect((await reviewHistory(submittedId))[0]).toMatchObject({ state: 'IN_REVIEW', stage: '初审' });
    await page.getByLabel('审核意见').fill('补贴标准未注明文件依据，请补充。');
    await page.getByRole('button', { name: /^退\s*回$/ }).click();
    await page.getByText('已退回（初审）').waitFor();
    const [latest] = await reviewHistory(submittedId);
    expect(latest).toMatchObject({ state: 'REJECTED' });
    expect(latest!.decisions).toEqual([
      { reviewer: 'reviewer', stage: '初审', outcome: 'REJECT', comment: '补贴标准未注明文件依据，请补充。' },
    ]);
  });
});

describe('resources', () => {
  it('searches, and narrows the results with a facet', async () => {
    await page.goto(consoleUrl('/resources'));
    await page.getByLabel('搜索服务、政策和活动').fill('家庭医生');
    await page.keyboard.press('Enter');
    // Search hits carry highlighted matches (browsing without words has none).
    await page.locator('.gx-highlight em', { hasText: '家庭医生' }).first().waitFor();
    await page.getByRole('link', { name: REVISED }).first().waitFor();
    const total = page.getByRole('status').filter({ hasText: /^共 \d+ 条$/ });
    const all = Number((await total.innerText()).match(/\d+/)![0]);
    const facet = page.getByRole('group', { name: '类型' }).getByText(/^服务 \(\d+\)$/);
    const services = Number((await facet.innerText()).match(/\((\d+)\)/)![1]);
    expect(services).toBeLessThan(all);
    await facet.click();
    await expect.poll(async () => total.innerText()).toBe(`共 ${services} 条`);
    await screenshot(page, 'resources');
  });

  it("shows a resource's provenance and versions, and compares two versions", async () => {
    await page.goto(consoleUrl(`/resources/${encodeURIComponent(resourceId)}`));
    await page.getByRole('heading', { name: REVISED }).waitFor();
    await page.getByText('该资源来自哪些数据源、哪次同步、何时获取').waitFor();
    expect(await page.locator('.ant-card', { hasText: '数据来源' }).locator('tbody tr').count()).toBeGreaterThanOrEqual(1);
    // Approval kept the published version (v1) and the revised one (v2).
    const versions = page.locator('.ant-card', { hasText: '历史版本' });
    await versions.getByRole('cell', { name: 'v2', exact: true }).waitFor();
    await versions.getByRole('cell', { name: 'v1', exact: true }).waitFor();
    await versions.getByRole('button', { name: /比\s*较/ }).click();
    await expect.poll(() => versions.getByRole('row', { name: /咨询电话/ }).innerText()).toContain(NEW_PHONE);
    await screenshot(page, 'resource-detail');
  });
});

describe('org tree', () => {
  it('opens the four levels lazily and lists what applies to a community, inherited from above', async () => {
    await page.goto(consoleUrl('/org'));
    const tree = page.locator('.ant-tree');
    await tree.getByText('吴兴区', { exact: true }).click();
    await tree.getByText('朝阳街道', { exact: true }).click();
    await tree.getByText('红门馆社区', { exact: true }).click();
    await page.waitForURL(/\/org\/330502002001$/);
    const resources = page.locator('.ant-card', { hasText: '适用资源' });
    const caption = resources.getByText(/^红门馆社区：适用于本组织（含上级下发），共 \d+ 条$/);
    await caption.waitFor();
    const inherited = Number((await caption.innerText()).match(/共 (\d+) 条/)![1]);
    await resources.getByText(/^上级下发 · 湖州市$/).first().waitFor();
    await screenshot(page, 'org');
    await resources.locator('.ant-segmented-item', { hasText: '仅本组织' }).click();
    const own = resources.getByText(/^红门馆社区：仅本组织，共 \d+ 条$/);
    await own.or(resources.getByText('没有适用的资源')).first().waitFor();
    const self = (await own.count()) > 0 ? Number((await own.innerText()).match(/共 (\d+) 条/)![1]) : 0;
    expect(inherited).toBeGreaterThan(self);
  });
});
