import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, errorCode, startHub, type Hub } from './harness.js';

/** Reading feeds and runs: department admins their department's, org admins those scoped into their subtree. */

let hub: Hub;
const t: Record<string, string> = {};
const ids: Record<string, string> = {};
const FEEDS = '{ feeds { name } }';
const FEED = 'query($id: ID!) { feed(id: $id) { name } }';
const NODE = 'query($id: ID!) { node(id: $id) { id } }';
const QUARANTINE = 'query($id: ID!) { feed(id: $id) { quarantine { id } } }';

beforeAll(async () => {
  hub = await startHub('access_feeds');
  for (const [name, grants] of [
    ['root', [{ role: 'PLATFORM_ADMIN' }]],
    ['health', [{ role: 'DEPARTMENT_ADMIN', department: 'health' }]],
    ['culture', [{ role: 'DEPARTMENT_ADMIN', department: 'culture' }]],
    ['admin-t1', [{ role: 'ORG_ADMIN', orgUnitCode: codeOf('T1') }]],
    ['member', [{ role: 'MEMBER', orgUnitCode: codeOf('V1') }]],
  ] as const) t[name] = (await hub.user(name, grants as never)).token;
  for (const [name, unit] of [['月河推送', 'V1'], ['练市推送', 'V2']] as const) {
    const response = await hub.gql<{ registerFeed: { feed: { id: string } } }>(
      'mutation($input: RegisterFeedInput!) { registerFeed(input: $input) { feed { id } } }',
      { input: { name, department: 'health', connector: 'webhook', targetKind: 'SERVICE', orgScope: [codeOf(unit)] } },
      t.health,
    );
    ids[name] = response.data!.registerFeed.feed.id;
  }
});

afterAll(async () => {
  await hub?.close();
});

describe('reading feeds', () => {
  it('lists each viewer exactly the feeds in scope', async () => {
    const names = async (token: string) => ((await hub.gql<{ feeds: { name: string }[] }>(FEEDS, {}, token)).data?.feeds ?? []).map((feed) => feed.name).sort();
    expect(await names(t.root!)).toEqual(['月河推送', '练市推送']);
    expect(await names(t.health!)).toEqual(['月河推送', '练市推送']);
    expect(await names(t['admin-t1']!)).toEqual(['月河推送']);
    expect(await names(t.culture!)).toEqual([]);
  });

  it('gives a feed out of scope as NOT_FOUND / null, never FORBIDDEN', async () => {
    expect((await hub.gql(FEED, { id: ids['月河推送'] }, t['admin-t1'])).data).toEqual({ feed: { name: '月河推送' } });
    expect(errorCode(await hub.gql(FEED, { id: ids['练市推送'] }, t['admin-t1']))).toBe('NOT_FOUND');
    expect(errorCode(await hub.gql(FEED, { id: ids['月河推送'] }, t.culture))).toBe('NOT_FOUND');
    expect((await hub.gql(NODE, { id: ids['练市推送'] }, t['admin-t1'])).data).toEqual({ node: null });
    expect((await hub.gql(NODE, { id: ids['月河推送'] }, t['admin-t1'])).data).toEqual({ node: { id: ids['月河推送'] } });
  });

  it('keeps quarantine to the department (and platform) admins', async () => {
    expect((await hub.gql(QUARANTINE, { id: ids['月河推送'] }, t.health)).errors).toBeUndefined();
    expect(errorCode(await hub.gql(QUARANTINE, { id: ids['月河推送'] }, t['admin-t1']))).toBe('FORBIDDEN');
  });

  it('refuses members (FORBIDDEN) and anonymous callers (UNAUTHENTICATED)', async () => {
    expect(errorCode(await hub.gql(FEEDS, {}, t.member))).toBe('FORBIDDEN');
    expect(errorCode(await hub.gql(FEEDS))).toBe('UNAUTHENTICATED');
  });
});
