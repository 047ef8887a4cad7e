import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../connectors/testing/index.js';
import { REDACTED } from '../../src/ingest/index.js';
import { departmentAdmin, startApi, type ApiServer } from './api-support.js';
import { openHarness, sampleRows, servicesCsv, servicesMapping, type Harness } from './harness.js';

let harness: Harness;
let source: LocalServer;
let api: ApiServer;
let body = servicesCsv(sampleRows(5, '20'));
const authHeaders: string[] = [];
const admin = departmentAdmin('health');
const SECRET_TOKEN = 'tok-7f3c9d1e-very-secret';

const FEED_FIELDS = `id name department connector config mapping status reviewPolicy hasWebhookSecret
  schedule { cron timezone } health { failureStreak lastRunStatus healthy lagSeconds }`;

beforeAll(async () => {
  harness = await openHarness('ingest_api');
  source = await startLocalServer((request, response) => {
    authHeaders.push(String(request.headers.authorization));
    response.setHeader('content-type', 'text/csv; charset=utf-8');
    response.end(body);
  });
  api = await startApi(harness, { uploadsEnabled: true });
});

afterAll(async () => {
  await api?.close();
  await source?.close();
  await harness?.close();
});

function registerInput(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    department: 'health',
    connector: 'csv',
    config: { url: `${source.url}/services.csv`, idPath: '编码', auth: { type: 'bearer', token: SECRET_TOKEN } },
    mapping: servicesMapping,
    targetKind: 'SERVICE',
    reviewPolicy: 'AUTO_PUBLISH',
    schedule: { cron: '0 */2 * * *' },
    ...extra,
  };
}

const REGISTER = `mutation($input: RegisterFeedInput!) { registerFeed(input: $input) { webhookSecret feed { ${FEED_FIELDS} } } }`;

describe('feeds GraphQL API', () => {
  it('lists connectors with their JSON Schema', async () => {
    const result = await api.graphql('{ connectors { id title { zh en } configSchema } }', {}, admin);
    expect(result.errors).toBeUndefined();
    const connectors = result.data?.connectors as Array<{ id: string; configSchema: { properties?: Record<string, unknown> } }>;
    expect(connectors.map((c) => c.id)).toEqual(expect.arrayContaining(['csv', 'rest']));
    expect(Object.keys(connectors.find((c) => c.id === 'csv')!.configSchema.properties ?? {})).toContain('url');
  });

  it('stores credentials encrypted, uses them, and never returns them', async () => {
    const result = await api.graphql(REGISTER, { input: registerInput('卫健服务事项（API）') }, admin);
    expect(result.errors).toBeUndefined();
    const payload = result.data?.registerFeed as { feed: { id: string; config: { auth: { token: string } }; schedule: { timezone: string } } };
    expect(payload.feed.config.auth.token).toBe(REDACTED);
    expect(payload.feed.schedule.timezone).toBe('Asia/Shanghai');
    expect(JSON.stringify(result)).not.toContain(SECRET_TOKEN);

    const stored = await harness.connection.collection('feeds').findOne({ name: '卫健服务事项（API）' });
    const storedToken = (stored?.config as { auth: { token: string } }).auth.token;
    expect(storedToken).toMatch(/^enc:v1:/);
    expect(JSON.stringify(stored)).not.toContain(SECRET_TOKEN);

    const run = await api.graphql(`mutation($id: ID!) { runFeed(id: $id) { started run { status stats { created } } } }`, { id: payload.feed.id }, admin);
    expect(run.data?.runFeed).toMatchObject({ started: true, run: { status: 'SUCCEEDED', stats: { created: 5 } } });
    expect(authHeaders.at(-1)).toBe(`Bearer ${SECRET_TOKEN}`);

    // Sending the redacted value back keeps the stored credential.
    const updated = await api.graphql(
      `mutation($id: ID!, $input: UpdateFeedInput!) { updateFeed(id: $id, input: $input) { config } }`,
      { id: payload.feed.id, input: { config: { url: `${source.url}/services.csv`, idPath: '编码', auth: { type: 'bearer', token: REDACTED } } } },
      admin,
    );
    expect(updated.errors).toBeUndefined();
    const after = await harness.connection.collection('feeds').findOne({ name: '卫健服务事项（API）' });
    expect((after?.config as { auth: { token: string } }).auth.token).toBe(storedToken);

    const listed = await api.graphql(`{ feeds { ${FEED_FIELDS} syncRuns { status stats { created } } lastRun { status } } }`, {}, admin);
    expect(JSON.stringify(listed)).not.toContain(SECRET_TOKEN);
    expect(listed.data?.feeds).toEqual([expect.objectContaining({ name: '卫健服务事项（API）', health: expect.objectContaining({ healthy: true, failureStreak: 0 }) })]);
  });

  it('refuses anonymous callers and hides other departments\' feeds', async () => {
    const anonymous = await api.graphql('{ feeds { id } }', {}, { kind: 'anonymous' });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const other = await api.graphql('{ feeds { id } }', {}, departmentAdmin('education'));
    expect(other.data?.feeds).toEqual([]);
    const foreign = await api.graphql(REGISTER, { input: registerInput('教育数据源', { department: 'health' }) }, departmentAdmin('education'));
    expect(foreign.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('rejects bad input with BAD_USER_INPUT in Chinese and English', async () => {
    const badCron = await api.graphql(REGISTER, { input: registerInput('坏的计划', { schedule: { cron: 'every day' } }) }, admin);
    expect(badCron.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(badCron.errors?.[0]?.message).toMatch(/cron/);
    const badConfig = await api.graphql(REGISTER, { input: registerInput('坏的地址', { config: { url: 'ftp://x/y.csv' } }) }, admin);
    expect(badConfig.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    const badScope = await api.graphql(REGISTER, { input: registerInput('坏的范围', { orgScope: ['000000'] }) }, admin);
    expect(badScope.errors?.[0]?.message).toMatch(/未知编码|unknown units/);
  });

  it('previews a draft feed without writing anything', async () => {
    body = servicesCsv([...sampleRows(3, '21'), { code: '219999', title: '' }]);
    const writes: string[] = [];
    const listener = (event: { commandName: string }) => {
      if (['insert', 'update', 'delete', 'findAndModify', 'create', 'createIndexes'].includes(event.commandName)) writes.push(event.commandName);
    };
    harness.connection.getClient().on('commandStarted', listener);
    try {
      const result = await api.graphql(
        `query($draft: RegisterFeedInput) { previewFeed(draft: $draft, first: 10) { fetched items { sourceId ok record code reasons } } }`,
        { draft: registerInput('预览') },
        admin,
      );
      expect(result.errors).toBeUndefined();
      const preview = result.data?.previewFeed as { fetched: number; items: Array<{ ok: boolean; code: string | null; record: { title?: string } | null }> };
      expect(preview.fetched).toBe(4);
      expect(preview.items.filter((item) => item.ok)).toHaveLength(3);
      expect(preview.items[0]!.record?.title).toBe('预防接种服务1号');
      expect(preview.items[3]).toMatchObject({ ok: false, code: 'MAPPING' });
    } finally {
      harness.connection.getClient().off('commandStarted', listener);
    }
    expect(writes).toEqual([]);
    expect(await harness.connection.collection('feeds').countDocuments({ name: '预览' })).toBe(0);
  });

  it('shows quarantine and requeues entries once the cause is fixed', async () => {
    body = servicesCsv([...sampleRows(2, '22'), { code: '229001', title: '新社区的服务', org: '330102001002' }]);
    const registered = await api.graphql(REGISTER, { input: registerInput('卫健（隔离）') }, admin);
    const feedId = (registered.data?.registerFeed as { feed: { id: string } }).feed.id;
    const run = await api.graphql(`mutation($id: ID!) { runFeed(id: $id) { run { id status stats { quarantined } } } }`, { id: feedId }, admin);
    expect(run.data?.runFeed).toMatchObject({ run: { status: 'PARTIAL', stats: { quarantined: 1 } } });
    const listed = await api.graphql(`query($id: ID!) { feed(id: $id) { quarantine { id sourceId code reasons raw } } }`, { id: feedId }, admin);
    const entries = (listed.data?.feed as { quarantine: Array<{ id: string; code: string; raw: Record<string, string> }> }).quarantine;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ code: 'UNKNOWN_ORG_UNIT', raw: { 编码: '229001' } });

    const street = await harness.connection.collection('orgUnits').findOne({ code: '330102001' });
    await harness.connection.collection('orgUnits').insertOne({
      code: '330102001002', name: '吴山社区', level: 4, kind: 'COMMUNITY', parentId: street!._id,
      ancestors: [...(street!.ancestors as unknown[]), street!._id], sortOrder: 0,
    });
    const requeued = await api.graphql(`mutation($ids: [ID!]!) { requeueQuarantined(ids: $ids) { started run { status stats { created } } } }`, { ids: [entries[0]!.id] }, admin);
    expect(requeued.data?.requeueQuarantined).toEqual([{ started: true, run: { status: 'SUCCEEDED', stats: { created: 1 } } }]);
    const after = await api.graphql(`query($id: ID!) { feed(id: $id) { quarantine(status: RESOLVED) { sourceId status } } }`, { id: feedId }, admin);
    expect((after.data?.feed as { quarantine: unknown[] }).quarantine).toEqual([{ sourceId: '229001', status: 'RESOLVED' }]);
  });

  it('pauses, resumes and soft-deletes a feed', async () => {
    const registered = await api.graphql(REGISTER, { input: registerInput('卫健（生命周期）') }, admin);
    const id = (registered.data?.registerFeed as { feed: { id: string } }).feed.id;
    await api.graphql(`mutation($id: ID!) { pauseFeed(id: $id) { status } }`, { id }, admin);
    const paused = await api.graphql(`mutation($id: ID!) { runFeed(id: $id) { started } }`, { id }, admin);
    expect(paused.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'CONFLICT' });
    const resumed = await api.graphql(`mutation($id: ID!) { resumeFeed(id: $id) { status } }`, { id }, admin);
    expect(resumed.data?.resumeFeed).toEqual({ status: 'ACTIVE' });
    const deleted = await api.graphql(`mutation($id: ID!) { deleteFeed(id: $id) { status } }`, { id }, admin);
    expect(deleted.data?.deleteFeed).toEqual({ status: 'DELETED' });
    const gone = await api.graphql(`query($id: ID!) { feed(id: $id) { id } }`, { id }, admin);
    expect(gone.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await harness.connection.collection('feeds').countDocuments({ name: '卫健（生命周期）' })).toBe(1);
  });
});
