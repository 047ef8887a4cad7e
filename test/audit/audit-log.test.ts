import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/graphql/index.js';
import { codeOf, errorCode, PASSWORD, startHub, type Hub } from '../access/harness.js';

/** The append-only audit log: what is recorded, who may read it, and that nothing changes it. */

let hub: Hub;
const t: Record<string, string> = {};
const LOG = `query($filter: AuditFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { actorName role action outcome targetType targetId beforeHash afterHash detail requestId ip at } }
  }
}`;
type Entry = { actorName: string | null; role: string; action: string; outcome: string; targetType: string | null; targetId: string | null; beforeHash: string | null; afterHash: string | null; detail: string | null; requestId: string | null; ip: string | null; at: string };
type LogResult = { auditLog: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: Entry }[] } };
const SUBMIT = 'mutation($record: JSON!) { submitResource(record: $record) { resource { id } } }';
const record = (title: string, unit: string) => ({ kind: 'SERVICE', title, department: 'health', orgUnitCodes: [unit], confidentiality: 'PUBLIC' });

async function all(token: string | undefined, filter: Record<string, unknown> = {}): Promise<Entry[]> {
  const entries: Entry[] = [];
  let after: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof hub.gql<LogResult>>> = await hub.gql<LogResult>(LOG, { filter, first: 50, after }, token);
    expect(page.errors).toBeUndefined();
    entries.push(...page.data!.auditLog.edges.map((edge) => edge.node));
    after = page.data!.auditLog.pageInfo.hasNextPage ? page.data!.auditLog.pageInfo.endCursor : null;
  } while (after);
  return entries;
}

beforeAll(async () => {
  hub = await startHub('audit_log');
  t.root = (await hub.user('root', [{ role: 'PLATFORM_ADMIN' }])).token;
  t.t1 = (await hub.user('admin-t1', [{ role: 'ORG_ADMIN', orgUnitCode: codeOf('T1') }])).token;
  t.t2 = (await hub.user('admin-t2', [{ role: 'ORG_ADMIN', orgUnitCode: codeOf('T2') }])).token;
  t.member = (await hub.user('member', [{ role: 'MEMBER', orgUnitCode: codeOf('V1') }])).token;
  await hub.gql('mutation { login(username: "root", password: "wrong password!") { token } }');
  await hub.gql(SUBMIT, { record: record('月河社区助餐服务', codeOf('V1')) }, t.t1, { 'x-request-id': 'req-submit-t1' });
  await hub.gql(SUBMIT, { record: record('练市村助餐服务', codeOf('V2')) }, t.t2);
  await hub.gql(SUBMIT, { record: record('越权提交', codeOf('V2')) }, t.t1, { 'x-request-id': 'req-denied' });
  await hub.gql(SUBMIT, { record: record('匿名提交', codeOf('V1')) }, null, { 'x-request-id': 'req-anonymous' });
});

afterAll(async () => {
  await hub?.close();
});

describe('what the audit log records', () => {
  it('logs every login, successful or not, with the client address and request id', async () => {
    const logins = await all(t.root, { action: 'auth.login' });
    expect(logins.filter((entry) => entry.outcome === 'SUCCESS').map((entry) => entry.actorName).sort()).toEqual(['admin-t1', 'admin-t2', 'member', 'root']);
    const failed = logins.find((entry) => entry.outcome === 'FAILURE');
    expect(failed).toMatchObject({ actorName: 'root', role: 'ANONYMOUS', detail: 'wrong password' });
    expect(logins.every((entry) => entry.ip && entry.requestId)).toBe(true);
  });

  it('logs a mutation with actor, role, target, content hashes and request id', async () => {
    const [entry] = await all(t.root, { action: 'resource.submit', actorName: 'admin-t1' });
    expect(entry).toMatchObject({ role: 'ORG_ADMIN', outcome: 'SUCCESS', targetType: 'Resource', requestId: 'req-submit-t1', beforeHash: null });
    expect(entry!.afterHash).toMatch(/^[0-9a-f]{64}$/);
    expect(entry!.ip).toMatch(/127\.0\.0\.1/);
  });

  it('logs refused mutations: out of scope (FORBIDDEN) and without a token (UNAUTHENTICATED)', async () => {
    const denied = await all(t.root, { action: 'mutation.submitResource' });
    expect(denied.map((entry) => [entry.requestId, entry.actorName, entry.role, entry.outcome, entry.detail]).sort()).toEqual([
      ['req-anonymous', null, 'ANONYMOUS', 'DENIED', 'UNAUTHENTICATED'],
      ['req-denied', 'admin-t1', 'ORG_ADMIN', 'DENIED', 'FORBIDDEN'],
    ]);
  });

  it('logs admin actions on users with before/after hashes', async () => {
    const created = await hub.gql<{ createUser: { id: string } }>(
      'mutation($input: CreateUserInput!) { createUser(input: $input) { id } }',
      { input: { username: 'newcomer', displayName: '新人', password: PASSWORD, grants: [{ role: 'MEMBER', orgUnitCode: codeOf('V2') }] } },
      t.root,
    );
    const id = created.data!.createUser.id;
    await hub.gql('mutation($id: ID!) { setUserGrants(id: $id, grants: [{ role: ANALYST }]) { id } }', { id }, t.root);
    const entries = await all(t.root, { actorName: 'root' });
    const grants = entries.find((entry) => entry.action === 'user.setGrants')!;
    expect(grants.beforeHash).toMatch(/^[0-9a-f]{64}$/);
    expect(grants.afterHash).toMatch(/^[0-9a-f]{64}$/);
    expect(grants.beforeHash).not.toBe(grants.afterHash);
    expect(entries.map((entry) => entry.action)).toContain('user.create');
  });
});

describe('who may read it', () => {
  it('platform admins read everything; org admins only entries about their subtree', async () => {
    const everything = await all(t.root);
    const t1 = await all(t.t1);
    const t2 = await all(t.t2);
    expect(t1.length).toBeGreaterThan(0);
    expect(t1.length).toBeLessThan(everything.length);
    expect(t1.map((entry) => entry.targetId)).not.toContain(null);
    const titles = await hub.models.Resource.find({}, { title: 1 }).lean();
    const idOf = (title: string) => titles.find((resource) => resource.title === title)!._id.toHexString();
    expect(t1.map((entry) => entry.targetId)).toContain(idOf('月河社区助餐服务'));
    expect(t1.map((entry) => entry.targetId)).not.toContain(idOf('练市村助餐服务'));
    expect(t2.map((entry) => entry.targetId)).toContain(idOf('练市村助餐服务'));
    const counted = await hub.gql<LogResult>(LOG, { first: 1 }, t.t1);
    expect(counted.data!.auditLog.totalCount).toBe(t1.length);
  });

  it('refuses members (FORBIDDEN) and anonymous callers (UNAUTHENTICATED)', async () => {
    expect(errorCode(await hub.gql(LOG, {}, t.member))).toBe('FORBIDDEN');
    expect(errorCode(await hub.gql(LOG, {}))).toBe('UNAUTHENTICATED');
  });
});

describe('append-only', () => {
  it('offers no mutation that changes or deletes entries', () => {
    const mutations = Object.keys(buildSchema().getMutationType()!.getFields());
    expect(mutations.filter((name) => /audit/i.test(name))).toEqual([]);
  });

  it('refuses updates and deletes through the model', async () => {
    const before = await hub.models.AuditEntry.countDocuments();
    await expect(hub.models.AuditEntry.updateMany({}, { $set: { action: 'forged' } })).rejects.toThrow(/append-only/);
    await expect(hub.models.AuditEntry.deleteMany({})).rejects.toThrow(/append-only/);
    await expect(hub.models.AuditEntry.findOneAndDelete({})).rejects.toThrow(/append-only/);
    expect(await hub.models.AuditEntry.countDocuments()).toBe(before);
    expect(await hub.models.AuditEntry.countDocuments({ action: 'forged' })).toBe(0);
  });

  it('gains nothing from reads: only mutations, logins and exports are recorded', async () => {
    const before = await hub.models.AuditEntry.countDocuments();
    await all(t.root);
    expect(await hub.models.AuditEntry.countDocuments()).toBe(before);
  });
});
