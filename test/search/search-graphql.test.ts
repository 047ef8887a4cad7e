import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStore, createModels, ensureIndexes, type Models } from '../../src/db/index.js';
import { createApp, type HubApp } from '../../src/http/index.js';
import { createLogger } from '../../src/logging/index.js';
import { uniqueDbName, uriForDb } from '../support/mongo.js';
import { HIDDEN_CATEGORY, HIDDEN_DEPARTMENT, ids, insertFixtures } from './fixtures.js';

/** Query.search over real HTTP: the hub's own app on a random port, the store over TCP. */

let connection: Connection;
let models: Models;
let hub: HubApp;
let http: Server;
let endpoint: string;

beforeAll(async () => {
  connection = await connectStore(uriForDb(uniqueDbName('search_graphql')));
  models = createModels(connection);
  await ensureIndexes(models);
  await insertFixtures(models);
  hub = await createApp({ connection, models, log: createLogger('silent') });
  http = hub.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => http.once('listening', resolve));
  endpoint = `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  await new Promise((resolve) => http?.close(resolve));
  await hub?.stop();
  await connection?.close();
});

interface SearchResult {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; score: number; node: { id: string; title: string; __typename: string }; highlights: { title: string; body: string | null } }[];
  facets: Record<'department' | 'kind' | 'category' | 'orgLevel', { value: string; count: number }[]>;
}

const SEARCH = /* GraphQL */ `
  query Search($query: String!, $filter: ResourceFilter, $first: Int, $after: String) {
    search(query: $query, filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor score node { __typename id title ... on Policy { docNumber validity } } highlights { title body } }
      facets { department { value count } kind { value count } category { value count } orgLevel { value count } }
    }
  }
`;

async function post(variables: Record<string, unknown>): Promise<{ data?: { search: SearchResult }; errors?: { message: string; extensions?: { code?: string } }[] }> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: SEARCH, variables }),
  });
  return (await response.json()) as never;
}

async function search(variables: Record<string, unknown>): Promise<SearchResult> {
  const body = await post(variables);
  expect(body.errors).toBeUndefined();
  return body.data!.search;
}

const titles = (result: SearchResult) => result.edges.map((edge) => edge.node.title);

describe('Query.search over HTTP', () => {
  it('ranks hand-checked queries', async () => {
    expect(titles(await search({ query: '医保报销' }))).toEqual([
      '医保报销办理指南',
      '<b>社区</b>医保宣传活动 & 讲座',
      '医保报销管理暂行办法',
      '异地就医备案',
    ]);
  });

  it('looks documents up by number', async () => {
    const result = await search({ query: '国办发（2024）12号' });
    expect(titles(result)).toEqual(['关于做好2024年城乡居民基本医疗保险工作的通知', '关于转发城乡居民参保工作通知的通知']);
    expect(result.edges[1]!.highlights.body).toContain('<em>国办发〔2024〕12号</em>');
  });

  it('expands synonyms and reads pinyin', async () => {
    expect(titles(await search({ query: '最低生活保障' }))).toEqual(['最低生活保障申请']);
    expect(titles(await search({ query: 'dibao' }))).toEqual(['最低生活保障申请']);
    expect(titles(await search({ query: '法援' }))).toEqual(['申请法律援助']);
  });

  it('combines with the resource filters', async () => {
    const policies = await search({ query: '医保', filter: { kinds: ['POLICY'] } });
    expect(policies.edges.every((edge) => edge.node.__typename === 'Policy')).toBe(true);
    expect(policies.facets.kind).toEqual([{ value: 'POLICY', count: policies.totalCount }]);
    const inForce = await search({ query: '医保', filter: { validity: ['VALID'] } });
    expect(titles(inForce)).not.toContain('医保报销管理暂行办法');
  });

  it('never shows hidden records, not even in facets', async () => {
    const hiddenOnly = await search({ query: '内部' });
    expect(hiddenOnly.totalCount).toBe(0);
    expect(hiddenOnly.facets.department).toEqual([]);
    const broad = await search({ query: '医保', first: 20 });
    const ids_ = broad.edges.map((edge) => edge.node.id);
    expect(ids_).toHaveLength(broad.totalCount);
    expect(broad.facets.department.map((b) => b.value)).not.toContain(HIDDEN_DEPARTMENT);
    expect(broad.facets.category.map((b) => b.value)).not.toContain(HIDDEN_CATEGORY);
    for (const facet of ['department', 'kind'] as const) {
      expect(broad.facets[facet].reduce((sum, b) => sum + b.count, 0)).toBe(broad.totalCount);
    }
  });

  it('pages with cursors and stays stable when records are inserted in between', async () => {
    const firstPage = await search({ query: '医保', first: 2 });
    expect(firstPage.pageInfo.hasNextPage).toBe(true);
    await models.Service.create({
      title: '医保 新增事项',
      department: 'health',
      status: 'PUBLISHED',
      confidentiality: 'PUBLIC',
      searchTerms: ['医保', '新增', '事项'],
    });
    const rest = await search({ query: '医保', first: 50, after: firstPage.pageInfo.endCursor });
    const seen = [...titles(firstPage), ...titles(rest)];
    expect(new Set(seen).size).toBe(seen.length);
    for (const title of titles(firstPage)) expect(titles(rest)).not.toContain(title);
    expect(seen).toContain('异地就医备案');
  });

  it('returns well-formed, escaped highlights', async () => {
    const result = await search({ query: '医保 讲座' });
    const [hit] = result.edges;
    expect(hit!.highlights.title).toBe('&lt;b&gt;社区&lt;/b&gt;<em>医保</em>宣传活动 &amp; <em>讲座</em>');
    for (const html of [hit!.highlights.title, hit!.highlights.body ?? '']) {
      const withoutMarks = html.replace(/<\/?em>/g, '');
      expect(withoutMarks).not.toMatch(/[<>]/);
      expect(html.match(/<em>/g)?.length ?? 0).toBe(html.match(/<\/em>/g)?.length ?? 0);
      expect(html).not.toMatch(/<em>[^<]*<em>/);
    }
  });

  it('answers bad input with BAD_USER_INPUT and a bilingual message', async () => {
    for (const variables of [{ query: '   ' }, { query: '医保', after: 'bogus' }, { query: '医保', first: -1 }]) {
      const body = await post(variables);
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(body.errors?.[0]?.message).toMatch(/[\u4e00-\u9fff].* \/ [A-Za-z]/);
    }
  });
});
