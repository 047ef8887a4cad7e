import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/graphql/index.js';
import { writeResources } from '../../src/ingest/resource-writer.js';
import { computeSearchTerms, type Searchable } from '../../src/search/index.js';
import { placementOf } from '../../src/domain/org/index.js';
import { codeOf, errorCode, insertResources, startHub, type Hub } from '../access/harness.js';

/** The review workflow end to end over HTTP: 初审 → 复审 → 终审, revisions, rejection, comments. */

let hub: Hub;
const t: Record<string, string> = {};

const CASE = 'id kind state stage stages submittedBy submittedByFeed rejectionReason decisions { reviewer stage outcome comment } stageTimings { stage decidedAt seconds } changes { field before after }';
const SUBMIT = `mutation($record: JSON!) { submitResource(record: $record) { ${CASE} resource { id title status } } }`;
const DECIDE = `mutation($id: ID!, $outcome: ReviewOutcome!, $comment: String!) { decideReview(resourceId: $id, outcome: $outcome, comment: $comment) { ${CASE} } }`;
const REVISE = `mutation($id: ID!, $changes: JSON!) { reviseResource(id: $id, changes: $changes) { ${CASE} } }`;
const QUEUE = 'query($mine: Boolean, $stage: String) { reviewQueue(mine: $mine, stage: $stage) { totalCount byStage { value count } items { id stage resource { id } } } }';
const HISTORY = `query($id: ID!) { reviewHistory(resourceId: $id) { ${CASE} } }`;
const NODE = 'query($id: ID!) { node(id: $id) { ... on Resource { title status version } } }';

const record = (title: string, extra: Record<string, unknown> = {}) => ({
  kind: 'POLICY',
  title,
  department: 'health',
  orgUnitCodes: [codeOf('V1')],
  confidentiality: 'PUBLIC',
  docNumber: '湖卫发〔2024〕7号',
  ...extra,
});

type Case = { id: string; kind: string; state: string; stage: string | null; submittedBy: string | null; submittedByFeed: string | null; rejectionReason: string | null; decisions: { reviewer: string; stage: string; outcome: string; comment: string }[]; stageTimings: { stage: string; decidedAt: string | null; seconds: number | null }[]; changes: { field: string; before: unknown; after: unknown }[]; resource?: { id: string; title: string; status: string } };

async function decide(who: string, id: string, outcome: 'APPROVE' | 'REJECT', comment = '') {
  return hub.gql<{ decideReview: Case }>(DECIDE, { id, outcome, comment }, t[who]);
}

async function approveAll(id: string) {
  for (const reviewer of ['first', 'second', 'final']) {
    const response = await decide(reviewer, id, 'APPROVE', `${reviewer} ok`);
    expect(response.errors, `${reviewer}: ${JSON.stringify(response.errors)}`).toBeUndefined();
  }
}

beforeAll(async () => {
  hub = await startHub('review_flow');
  const scope = codeOf('T1');
  const users: [string, Parameters<Hub['user']>[1]][] = [
    ['editor', [{ role: 'ORG_ADMIN', orgUnitCode: scope }]],
    ['first', [{ role: 'REVIEWER', orgUnitCode: scope, stages: ['初审'] }]],
    ['second', [{ role: 'REVIEWER', orgUnitCode: scope, stages: ['复审'] }]],
    ['final', [{ role: 'REVIEWER', orgUnitCode: scope, stages: ['终审'] }]],
    ['elsewhere', [{ role: 'REVIEWER', orgUnitCode: codeOf('T2') }]],
    ['selfish', [{ role: 'ORG_ADMIN', orgUnitCode: scope }, { role: 'REVIEWER', orgUnitCode: scope }]],
    ['health', [{ role: 'DEPARTMENT_ADMIN', department: 'health' }]],
    ['analyst', [{ role: 'ANALYST' }]],
    ['member', [{ role: 'MEMBER', orgUnitCode: codeOf('V1') }]],
  ];
  for (const [name, grants] of users) t[name] = (await hub.user(name, grants)).token;
});

afterAll(async () => {
  await hub?.close();
});

describe('manual publishing through three stages', () => {
  let resourceId: string;

  it('refuses classified material and stores nothing', async () => {
    const before = await hub.models.Resource.countDocuments();
    const response = await hub.gql(SUBMIT, { record: record('涉密文件', { confidentiality: 'CLASSIFIED' }) }, t.editor);
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors![0]!.message).toContain('涉密');
    expect(await hub.models.Resource.countDocuments()).toBe(before);
  });

  it('submits: the resource is pending, invisible to the public, first in the 初审 queue', async () => {
    const response = await hub.gql<{ submitResource: Case }>(SUBMIT, { record: record('关于做好2024年医保参保工作的通知') }, t.editor);
    expect(response.errors).toBeUndefined();
    const submitted = response.data!.submitResource;
    expect(submitted).toMatchObject({ kind: 'NEW', state: 'IN_REVIEW', stage: '初审', stages: ['初审', '复审', '终审'], submittedBy: 'editor', resource: { status: 'PENDING' } });
    resourceId = submitted.resource!.id;
    expect((await hub.gql(NODE, { id: resourceId })).data).toEqual({ node: null });

    const first = await hub.gql<{ reviewQueue: { totalCount: number; byStage: { value: string; count: number }[]; items: { resource: { id: string } }[] } }>(QUEUE, {}, t.first);
    expect(first.data!.reviewQueue.totalCount).toBe(1);
    expect(first.data!.reviewQueue.byStage).toEqual([{ value: '初审', count: 1 }, { value: '复审', count: 0 }, { value: '终审', count: 0 }]);
    expect(first.data!.reviewQueue.items[0]!.resource.id).toBe(resourceId);
    expect((await hub.gql<{ reviewQueue: { totalCount: number } }>(QUEUE, {}, t.second)).data!.reviewQueue.totalCount).toBe(0);
    expect((await hub.gql<{ reviewQueue: { totalCount: number } }>(QUEUE, { mine: false }, t.second)).data!.reviewQueue.totalCount).toBe(1);
    expect((await hub.gql<{ reviewQueue: { totalCount: number } }>(QUEUE, { mine: false }, t.elsewhere)).data!.reviewQueue.totalCount).toBe(0);
  });

  it('lets only the reviewer of the current stage, in scope, decide', async () => {
    expect(errorCode(await decide('second', resourceId, 'APPROVE'))).toBe('FORBIDDEN');
    expect(errorCode(await decide('elsewhere', resourceId, 'APPROVE'))).toBe('NOT_FOUND');
    expect(errorCode(await decide('member', resourceId, 'APPROVE'))).toBe('NOT_FOUND');
    expect(errorCode(await hub.gql(DECIDE, { id: resourceId, outcome: 'APPROVE', comment: '' }))).toBe('UNAUTHENTICATED');
    const response = await decide('first', resourceId, 'APPROVE', '文字规范');
    expect(response.data!.decideReview).toMatchObject({ stage: '复审', decisions: [{ reviewer: 'first', stage: '初审', outcome: 'APPROVE', comment: '文字规范' }] });
  });

  it('restarts review when the content changes during review', async () => {
    const revised = await hub.gql<{ reviseResource: Case }>(REVISE, { id: resourceId, changes: { summary: '补充参保范围' } }, t.editor);
    expect(revised.errors).toBeUndefined();
    expect(revised.data!.reviseResource).toMatchObject({ kind: 'NEW', state: 'IN_REVIEW', stage: '初审', decisions: [] });
    expect(errorCode(await decide('second', resourceId, 'APPROVE'))).toBe('FORBIDDEN');
    await approveAll(resourceId);
    const node = await hub.gql<{ node: { title: string; status: string; version: number } }>(NODE, { id: resourceId });
    expect(node.data!.node).toEqual({ title: '关于做好2024年医保参保工作的通知', status: 'PUBLISHED', version: 2 });
    const history = await hub.gql<{ reviewHistory: Case[] }>(HISTORY, { id: resourceId }, t.editor);
    expect(history.data!.reviewHistory.map((item) => item.state)).toEqual(['APPROVED', 'SUPERSEDED']);
    const approved = history.data!.reviewHistory[0]!;
    expect(approved.decisions.map((decision) => `${decision.stage}:${decision.reviewer}`)).toEqual(['初审:first', '复审:second', '终审:final']);
    expect(approved.stageTimings.every((timing) => timing.decidedAt !== null && timing.seconds! >= 0)).toBe(true);
  });

  it('keeps the published version visible while a revision waits, and rejects it with a reason', async () => {
    const revision = await hub.gql<{ reviseResource: Case }>(REVISE, { id: resourceId, changes: { title: '关于做好2025年医保参保工作的通知' } }, t.editor);
    expect(revision.data!.reviseResource).toMatchObject({ kind: 'REVISION', stage: '初审' });
    expect(revision.data!.reviseResource.changes).toContainEqual({ field: 'title', before: '关于做好2024年医保参保工作的通知', after: '关于做好2025年医保参保工作的通知' });
    expect((await hub.gql<{ node: { title: string } }>(NODE, { id: resourceId })).data!.node.title).toBe('关于做好2024年医保参保工作的通知');

    expect(errorCode(await decide('first', resourceId, 'REJECT', '   '))).toBe('BAD_USER_INPUT');
    const rejected = await decide('first', resourceId, 'REJECT', '年份错误，应与原文一致');
    expect(rejected.data!.decideReview).toMatchObject({ state: 'REJECTED', rejectionReason: '年份错误，应与原文一致' });
    expect((await hub.gql<{ node: { title: string; status: string } }>(NODE, { id: resourceId })).data!.node).toMatchObject({ title: '关于做好2024年医保参保工作的通知', status: 'PUBLISHED' });
  });

  it('publishes an approved revision, keeps both versions and shows the diff', async () => {
    await hub.gql(REVISE, { id: resourceId, changes: { title: '关于做好2024年度医保参保工作的通知' } }, t.editor);
    await approveAll(resourceId);
    expect((await hub.gql<{ node: { title: string; version: number } }>(NODE, { id: resourceId })).data!.node).toMatchObject({ title: '关于做好2024年度医保参保工作的通知', version: 3 });
    const versions = await hub.gql<{ resourceVersions: { version: number }[]; resourceDiff: { field: string; before: unknown; after: unknown }[] }>(
      'query($id: ID!) { resourceVersions(resourceId: $id) { version } resourceDiff(resourceId: $id, fromVersion: 2, toVersion: 3) { field before after } }',
      { id: resourceId },
      t.editor,
    );
    expect(versions.data!.resourceVersions.map((version) => version.version)).toEqual([3, 2]);
    expect(versions.data!.resourceDiff.map((change) => change.field)).toContain('title');
    expect(versions.data!.resourceDiff.find((change) => change.field === 'title')).toEqual({ field: 'title', before: '关于做好2024年医保参保工作的通知', after: '关于做好2024年度医保参保工作的通知' });
    // Versions, history and diffs are for staff in scope only; the public sees the resource itself.
    expect(errorCode(await hub.gql(HISTORY, { id: resourceId }, t.member))).toBe('NOT_FOUND');
    expect(errorCode(await hub.gql(HISTORY, { id: resourceId }))).toBe('UNAUTHENTICATED');
  });

  it('records time to publish per stage for reports', async () => {
    const response = await hub.gql<{ reviewStageTimes: { stage: string; decided: number }[] }>('{ reviewStageTimes { stage decided averageSeconds maxSeconds } }', {}, t.analyst);
    expect(response.data!.reviewStageTimes.map((row) => [row.stage, row.decided])).toEqual([
      ['初审', 4],
      ['复审', 2],
      ['终审', 2],
    ]);
    expect(errorCode(await hub.gql('{ reviewStageTimes { stage } }', {}, t.member))).toBe('FORBIDDEN');
  });
});

describe('rules around the workflow', () => {
  it('refuses self-approval', async () => {
    const submitted = await hub.gql<{ submitResource: Case }>(SUBMIT, { record: record('自己提交的通知', { docNumber: undefined }) }, t.selfish);
    const id = submitted.data!.submitResource.resource!.id;
    const self = await decide('selfish', id, 'APPROVE', 'looks fine');
    expect(errorCode(self)).toBe('FORBIDDEN');
    expect(self.errors![0]!.message).toContain('自己');
    const queue = await hub.gql<{ reviewQueue: { items: { resource: { id: string } }[] } }>(QUEUE, {}, t.selfish);
    expect(queue.data!.reviewQueue.items.map((item) => item.resource.id)).not.toContain(id);
  });

  it('returns a rejected feed record to its source with the reason', async () => {
    const feedId = new Types.ObjectId();
    const [id] = await insertResources(hub.models, [{ kind: 'SERVICE', title: '预防接种门诊', department: 'health', unit: hub.units.V1, status: 'PENDING', confidentiality: 'PUBLIC', extra: { provenance: [{ feedId, sourceId: 'c-1', fetchedAt: new Date(), contentHash: 'h1' }] } }]);
    const globalId = toGlobalId('Service', id!);
    const queue = await hub.gql<{ reviewQueue: { items: { resource: { id: string } }[] } }>(QUEUE, { stage: '初审' }, t.first);
    expect(queue.data!.reviewQueue.items.map((item) => item.resource.id)).toContain(globalId);
    const rejected = await decide('first', globalId, 'REJECT', '地址缺失');
    expect(rejected.data!.decideReview).toMatchObject({ state: 'REJECTED', rejectionReason: '地址缺失', submittedByFeed: toGlobalId('Feed', feedId) });
    const seenBySource = await hub.gql<{ reviewHistory: Case[]; node: { status: string } }>(`query($id: ID!) { reviewHistory(resourceId: $id) { state rejectionReason } node(id: $id) { ... on Resource { status } } }`, { id: globalId }, t.health);
    expect(seenBySource.data).toEqual({ reviewHistory: [{ state: 'REJECTED', rejectionReason: '地址缺失' }], node: { status: 'REJECTED' } });
  });

  it('holds a feed change to a published resource as a revision; the published version stays', async () => {
    const feedId = new Types.ObjectId();
    const placement = placementOf([hub.units.V1]);
    const base = { kind: 'EVENT' as const, sourceId: 'ev-1', title: '月河社区读书会', department: 'health', orgUnitCodes: [], categories: [], tags: [], audience: [], confidentiality: 'PUBLIC' as const, startsAt: new Date('2030-01-01T02:00:00Z'), allDay: false };
    const [id] = await insertResources(hub.models, [{ kind: 'EVENT', title: base.title, department: 'health', unit: hub.units.V1, status: 'PUBLISHED', confidentiality: 'PUBLIC', extra: { startsAt: base.startsAt, provenance: [{ feedId, sourceId: 'ev-1', fetchedAt: new Date(), contentHash: 'old' }] } }]);
    const context = { Resource: hub.models.Resource, feedId, runId: new Types.ObjectId(), reviewPolicy: 'REQUIRE_REVIEW' as const, searchTerms: (resource: Record<string, unknown>) => computeSearchTerms(resource as unknown as Searchable) };
    const changed = { ...base, title: '月河社区读书会（改期）' };
    await writeResources([{ sourceId: 'ev-1', record: changed, hash: 'new', placement }], context);
    await writeResources([{ sourceId: 'ev-1', record: changed, hash: 'new', placement }], context);
    const globalId = toGlobalId('Event', id!);
    expect((await hub.gql<{ node: { title: string; status: string } }>(NODE, { id: globalId })).data!.node).toMatchObject({ title: '月河社区读书会', status: 'PUBLISHED' });
    const history = await hub.gql<{ reviewHistory: Case[] }>(HISTORY, { id: globalId }, t.first);
    expect(history.data!.reviewHistory).toHaveLength(1);
    expect(history.data!.reviewHistory[0]).toMatchObject({ kind: 'REVISION', state: 'IN_REVIEW', submittedByFeed: toGlobalId('Feed', feedId) });
    expect(history.data!.reviewHistory[0]!.changes).toContainEqual({ field: 'title', before: '月河社区读书会', after: '月河社区读书会（改期）' });
    await approveAll(globalId);
    expect((await hub.gql<{ node: { title: string } }>(NODE, { id: globalId })).data!.node.title).toBe('月河社区读书会（改期）');
  });

  it('lets org admins and reviewers comment and flag within scope; others cannot see or add comments', async () => {
    const [id] = await insertResources(hub.models, [{ kind: 'POLICY', title: '需要整改的政策', department: 'culture', unit: hub.units.T1, status: 'PUBLISHED', confidentiality: 'PUBLIC' }]);
    const globalId = toGlobalId('Policy', id!);
    const COMMENT = 'mutation($id: ID!, $body: String!, $flag: Boolean) { commentOnResource(resourceId: $id, body: $body, flag: $flag) { id author body flag resolvedAt } }';
    const flagged = await hub.gql<{ commentOnResource: { id: string; flag: boolean } }>(COMMENT, { id: globalId, body: '发文字号缺失，请补充', flag: true }, t.editor);
    expect(flagged.data!.commentOnResource).toMatchObject({ author: 'editor', flag: true, resolvedAt: null });
    expect((await hub.gql(COMMENT, { id: globalId, body: '同意', flag: false }, t.first)).errors).toBeUndefined();
    expect(errorCode(await hub.gql(COMMENT, { id: globalId, body: 'x' }, t.member))).toBe('FORBIDDEN');
    expect(errorCode(await hub.gql(COMMENT, { id: globalId, body: 'x' }, t.elsewhere))).toBe('FORBIDDEN');
    expect(errorCode(await hub.gql(COMMENT, { id: globalId, body: 'x' }))).toBe('UNAUTHENTICATED');
    const list = await hub.gql<{ reviewComments: { body: string }[] }>('query($id: ID!) { reviewComments(resourceId: $id) { body flag } }', { id: globalId }, t.first);
    expect(list.data!.reviewComments.map((comment) => comment.body).sort()).toEqual(['发文字号缺失，请补充', '同意']);
    expect(errorCode(await hub.gql('query($id: ID!) { reviewComments(resourceId: $id) { body } }', { id: globalId }, t.member))).toBe('NOT_FOUND');
    const resolved = await hub.gql<{ resolveFlag: { resolvedAt: string | null } }>('mutation($id: ID!) { resolveFlag(commentId: $id) { resolvedAt } }', { id: flagged.data!.commentOnResource.id }, t.editor);
    expect(resolved.data!.resolveFlag.resolvedAt).not.toBeNull();
  });

  it('audits every decision', async () => {
    const decisions = await hub.models.AuditEntry.find({ action: 'review.decide' }).lean();
    expect(decisions.filter((entry) => entry.outcome === 'SUCCESS')).toHaveLength(12);
    expect(decisions.some((entry) => entry.outcome === 'DENIED' && entry.detail?.includes('self-review'))).toBe(true);
    expect(decisions.every((entry) => entry.requestId && entry.ip && entry.targetId)).toBe(true);
  });
});

describe('the review queue pages by position', () => {
  const PAGE = 'query($first: Int, $after: String) { reviewQueue(first: $first, after: $after) { totalCount hasNextPage endCursor items { id resource { id } } } }';
  type QueuePage = { reviewQueue: { totalCount: number; hasNextPage: boolean; endCursor: string | null; items: { id: string; resource: { id: string } }[] } };
  const ids = (page: QueuePage['reviewQueue']) => page.items.map((item) => item.id);

  it('walks every open case once, in submission order, even when a shown case is decided between pages', async () => {
    for (const n of [1, 2, 3, 4, 5]) {
      expect((await hub.gql(SUBMIT, { record: record(`分页测试通知${n}`) }, t.editor)).errors).toBeUndefined();
    }
    const all = (await hub.gql<QueuePage>(PAGE, { first: 50 }, t.first)).data!.reviewQueue;
    expect(all.totalCount).toBeGreaterThanOrEqual(5);
    expect(all.hasNextPage).toBe(false);

    const firstPage = (await hub.gql<QueuePage>(PAGE, { first: 2 }, t.first)).data!.reviewQueue;
    expect(ids(firstPage)).toEqual(ids(all).slice(0, 2));
    expect(firstPage.hasNextPage).toBe(true);
    // An offset would now skip a case; a position does not.
    expect((await decide('first', firstPage.items[0]!.resource.id, 'APPROVE', '分页')).errors).toBeUndefined();
    const seen = ids(firstPage);
    let cursor = firstPage.endCursor;
    for (let page = 0; page < 100 && cursor; page++) {
      const next = (await hub.gql<QueuePage>(PAGE, { first: 2, after: cursor }, t.first)).data!.reviewQueue;
      expect(next.items.length).toBeLessThanOrEqual(2);
      seen.push(...ids(next));
      cursor = next.hasNextPage ? next.endCursor : null;
    }
    expect(seen).toEqual(ids(all));
  });

  it('refuses a malformed cursor with a clear error', async () => {
    const response = await hub.gql(PAGE, { first: 2, after: 'not-a-cursor' }, t.first);
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors![0]!.message).toContain('游标');
  });
});
