import { buildSchema } from '../../src/graphql/index.js';
import { resolverModules } from '../../src/graphql/resolvers/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOC, insertCatalogue, insertDepartments, insertOrgTree, UNIT_CODES, VISIBLE } from './fixture.js';
import { dataOf, startTestHub, type TestHub } from './harness.js';

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub('hub_api');
  await insertDepartments(hub.models);
  await insertCatalogue(hub.models, await insertOrgTree(hub.models));
});

afterAll(async () => {
  await hub?.stop();
});

interface TitlePage {
  totalCount: number;
  edges: { cursor: string; node: { title: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const PAGE_FIELDS = 'totalCount edges { cursor node { title } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';

async function page(args: Record<string, unknown>, field = 'resources'): Promise<TitlePage> {
  const response = await hub.gql<Record<string, TitlePage>>(
    `query ($first: Int, $after: String, $last: Int, $before: String, $filter: ResourceFilter, $orderBy: ResourceOrder) {
      list: ${field}(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) { ${PAGE_FIELDS} }
    }`,
    args,
  );
  return dataOf(response).list as TitlePage;
}

const titlesOf = (result: TitlePage) => result.edges.map((edge) => edge.node.title);

async function matching(filter: Record<string, unknown>, field = 'resources'): Promise<string[]> {
  const result = await page({ filter, first: 100 }, field);
  expect(result.totalCount).toBe(result.edges.length);
  return titlesOf(result).sort();
}

describe('resource filters', () => {
  it('shows only published public resources', async () => {
    expect(await matching({})).toEqual([...VISIBLE].sort());
  });

  it.each([
    [{ kinds: ['POLICY'] }, ['P1', 'P2', 'P3', 'P4']],
    [{ kinds: ['SERVICE', 'EVENT'] }, ['E1', 'E2', 'S1', 'S2', 'S3', 'S4']],
    [{ departments: ['health'] }, ['P1', 'P2', 'S1', 'S4']],
    [{ departments: ['HEALTH', 'culture'] }, ['E1', 'E2', 'P1', 'P2', 'S1', 'S3', 'S4']],
    [{ categories: ['医疗'] }, ['P1', 'P2', 'S1', 'S4']],
    [{ categories: ['文化', '养老'] }, ['E1', 'E2', 'S3', 'S4']],
    [{ tags: ['图书馆'] }, ['E1', 'S3']],
    [{ tags: ['医保'] }, ['P1', 'S1']],
    [{ audience: ['学生'] }, ['P4', 'S2']],
    [{ themes: ['教育'] }, ['P3', 'P4']],
    [{ validity: ['VALID'] }, ['P1', 'P4']],
    [{ validity: ['EXPIRED', 'REPEALED'] }, ['P2', 'P3']],
    [{ effectiveAt: '2025-01-01T00:00:00Z' }, ['P1']],
    [{ effectiveAt: '2022-01-01T00:00:00Z' }, []],
    [{ effectiveAt: '2030-06-01T00:00:00Z' }, ['P1', 'P4']],
    [{ publishedAt: { from: '2020-01-01T00:00:00Z', to: '2025-01-01T00:00:00Z' } }, ['P1', 'P2']],
    [{ publishedAt: { to: '2020-03-01T00:00:00Z' } }, ['P3']],
    [{ startsAt: { from: '2025-06-15T00:00:00Z' } }, ['E2']],
    [{ orgLevels: [4] }, ['E1', 'P4', 'S2', 'S4']],
    [{ orgLevels: [1, 2] }, ['P1', 'P2', 'S3']],
    [{ createdAt: { from: '2100-01-01T00:00:00Z' } }, []],
    [{ updatedAt: { to: '2100-01-01T00:00:00Z' } }, [...VISIBLE].sort()],
    [{ departments: ['health'], orgUnit: { code: UNIT_CODES.V1, scope: 'INHERITED' } }, ['P1', 'P2', 'S1']],
  ])('filter %j', async (filter, expected) => {
    expect(await matching(filter)).toEqual(expected);
  });

  it.each([
    ['V1', 'SELF', ['P4', 'S2']],
    ['V1', 'INHERITED', ['P1', 'P2', 'P3', 'P4', 'S1', 'S2']],
    ['V1', 'SUBTREE', ['P4', 'S2']],
    ['T1', 'SUBTREE', ['E1', 'P3', 'P4', 'S1', 'S2']],
    ['T1', 'SELF', ['P3', 'S1']],
    ['D2', 'SUBTREE', ['E2', 'S3', 'S4']],
    ['V3', 'INHERITED', ['E2', 'P1', 'S3', 'S4']],
    ['C', 'SUBTREE', [...VISIBLE].sort()],
    ['C', 'SELF', ['P1']],
    ['C', 'INHERITED', ['P1']],
  ] as const)('org unit %s scope %s', async (unit, scope, expected) => {
    expect(await matching({ orgUnit: { code: UNIT_CODES[unit], scope } })).toEqual(expected);
  });

  it('defaults the filter scope to SELF', async () => {
    expect(await matching({ orgUnit: { code: UNIT_CODES.T1 } })).toEqual(['P3', 'S1']);
  });

  it('kind-specific connections pin their kind and default order', async () => {
    expect(await matching({ categories: ['医疗'] }, 'services')).toEqual(['S1', 'S4']);
    expect(titlesOf(await page({}, 'events'))).toEqual(['E1', 'E2']);
    expect(titlesOf(await page({}, 'policies'))).toEqual(['P4', 'P1', 'P2', 'P3']);
    expect(titlesOf(await page({ orderBy: { field: 'TITLE', direction: 'DESC' } }, 'policies'))).toEqual(['P4', 'P3', 'P2', 'P1']);
  });
});

describe('facets', () => {
  const facetQuery = `query ($filter: ResourceFilter) { resources(filter: $filter, first: 1) {
    totalCount facets { department { value count } kind { value count } category { value count } orgLevel { value count } } } }`;

  interface Facets {
    resources: { totalCount: number; facets: Record<'department' | 'kind' | 'category' | 'orgLevel', { value: string; count: number }[]> };
  }
  const asMap = (buckets: { value: string; count: number }[]) => Object.fromEntries(buckets.map((b) => [b.value, b.count]));
  const sum = (buckets: { count: number }[]) => buckets.reduce((total, bucket) => total + bucket.count, 0);

  it('counts the whole visible result, not the page', async () => {
    const { resources } = dataOf(await hub.gql<Facets>(facetQuery, {}));
    expect(resources.totalCount).toBe(10);
    expect(asMap(resources.facets.department)).toEqual({ health: 4, education: 3, culture: 3 });
    expect(asMap(resources.facets.kind)).toEqual({ POLICY: 4, SERVICE: 4, EVENT: 2 });
    expect(asMap(resources.facets.category)).toEqual({ 医疗: 4, 文化: 3, 教育: 3, 养老: 1 });
    expect(asMap(resources.facets.orgLevel)).toEqual({ '1': 1, '2': 2, '3': 3, '4': 4 });
  });

  it.each([
    {},
    { departments: ['health'] },
    { orgUnit: { code: UNIT_CODES.V1, scope: 'INHERITED' } },
    { categories: ['文化'], kinds: ['EVENT', 'SERVICE'] },
    { validity: ['VALID'] },
  ])('single-valued facets sum to totalCount for %j', async (filter) => {
    const { resources } = dataOf(await hub.gql<Facets>(facetQuery, { filter }));
    expect(sum(resources.facets.department)).toBe(resources.totalCount);
    expect(sum(resources.facets.kind)).toBe(resources.totalCount);
    for (const bucket of [...resources.facets.category, ...resources.facets.orgLevel]) {
      expect(bucket.count).toBeLessThanOrEqual(resources.totalCount);
      const narrowed = bucket.value.match(/^[1-4]$/) ? { orgLevels: [Number(bucket.value)] } : { categories: [bucket.value] };
      expect(await matching({ ...filter, ...narrowed })).toHaveLength(bucket.count);
    }
  });
});

describe('pagination', () => {
  const byTitle = { field: 'TITLE', direction: 'ASC' };
  const ALL = [...VISIBLE].sort();

  it('walks forwards and backwards over the same sequence', async () => {
    const forwards: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const result: TitlePage = await page({ first: 3, after, orderBy: byTitle });
      expect(result.pageInfo.hasPreviousPage).toBe(pages > 0);
      forwards.push(...titlesOf(result));
      pages += 1;
      if (!result.pageInfo.hasNextPage) break;
      after = result.pageInfo.endCursor;
    }
    expect(forwards).toEqual(ALL);
    expect(pages).toBe(4);

    const backwards: string[] = [];
    let before: string | null = null;
    for (;;) {
      const result: TitlePage = await page({ last: 3, before, orderBy: byTitle });
      expect(result.pageInfo.hasNextPage).toBe(before !== null);
      backwards.unshift(...titlesOf(result));
      if (!result.pageInfo.hasPreviousPage) break;
      before = result.pageInfo.startCursor;
    }
    expect(backwards).toEqual(ALL);
  });

  it.each(
    ['UPDATED_AT', 'CREATED_AT', 'TITLE', 'PUBLISHED_AT', 'STARTS_AT'].flatMap((field) => [
      { field, direction: 'ASC' },
      { field, direction: 'DESC' },
    ]),
  )('walks every order both ways, across missing sort values: %j', async (orderBy) => {
    const whole = titlesOf(await page({ first: 100, orderBy }));
    expect([...whole].sort()).toEqual(ALL);
    const forwards: string[] = [];
    let after: string | null = null;
    for (;;) {
      const result: TitlePage = await page({ first: 3, after, orderBy });
      forwards.push(...titlesOf(result));
      if (!result.pageInfo.hasNextPage) break;
      after = result.pageInfo.endCursor;
    }
    expect(forwards).toEqual(whole);
    const backwards: string[] = [];
    let before: string | null = null;
    for (;;) {
      const result: TitlePage = await page({ last: 2, before, orderBy });
      backwards.unshift(...titlesOf(result));
      if (!result.pageInfo.hasPreviousPage) break;
      before = result.pageInfo.startCursor;
    }
    expect(backwards).toEqual(whole);
  });

  it('pages between two cursors, and supports first: 0', async () => {
    const all = await page({ first: 10, orderBy: byTitle });
    const between = await page({ first: 10, after: all.edges[1]?.cursor, before: all.edges[5]?.cursor, orderBy: byTitle });
    expect(titlesOf(between)).toEqual(ALL.slice(2, 5));
    const none = await page({ first: 0 });
    expect(none.edges).toEqual([]);
    expect(none.totalCount).toBe(10);
  });

  it('keeps cursors stable under concurrent inserts and deletes', async () => {
    const first = await page({ first: 3, orderBy: byTitle });
    expect(titlesOf(first)).toEqual(['E1', 'E2', 'P1']);
    const base = { department: 'culture', status: 'PUBLISHED', confidentiality: 'PUBLIC', startsAt: new Date('2026-01-01T00:00:00Z') };
    const inserted = ['A-new', 'P1a-new', 'Z-new'];
    const cursorDocument = await hub.models.Resource.findOne({ title: 'P1' }).lean().exec();
    try {
      const walk = (async () => {
        const seen: string[] = [];
        let after = first.pageInfo.endCursor;
        for (;;) {
          const result: TitlePage = await page({ first: 2, after, orderBy: byTitle });
          seen.push(...titlesOf(result));
          if (!result.pageInfo.hasNextPage) return seen;
          after = result.pageInfo.endCursor;
        }
      })();
      // Inserts race the walk; the cursor's own document (P1) goes away too.
      await Promise.all([...inserted.map((title) => hub.models.Event.create({ ...base, title })), hub.models.Resource.deleteOne({ title: 'P1' })]);
      const seen = await walk;
      const originals = seen.filter((title) => !inserted.includes(title));
      expect(originals).toEqual(ALL.slice(3));
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).not.toContain('A-new');
      expect(seen).toEqual([...seen].sort());
      // After the inserts settle, a fresh walk from the old cursor sees the later ones.
      const again = await page({ first: 100, after: first.pageInfo.endCursor, orderBy: byTitle });
      expect(titlesOf(again)).toEqual(['P1a-new', ...ALL.slice(3), 'Z-new']);
    } finally {
      await hub.models.Resource.deleteMany({ title: { $in: inserted } });
      if (cursorDocument) await hub.models.Resource.collection.insertOne(cursorDocument);
    }
  });
});

describe('nested fields and links', () => {
  it('resolves departments, org units with ancestors, and policy ↔ service links under visibility', async () => {
    const data = dataOf(
      await hub.gql<{ services: { edges: { node: Record<string, unknown> }[] }; policies: { edges: { node: Record<string, unknown> }[] } }>(`{
        services(first: 10, orderBy: { field: TITLE, direction: ASC }) { edges { node {
          title department { code name { zh en } } orgUnits { code ancestors { code } parent { code } }
          legalBasis { title } legalBasisDocNumbers locations { name phone } timeLimitDays } } }
        policies(first: 10, orderBy: { field: TITLE, direction: ASC }) { edges { node {
          title supersededBy { title } supersedes { title } relatedServices { title } } } }
      }`),
    );
    const services = Object.fromEntries(data.services.edges.map(({ node }) => [node.title, node]));
    expect(services.S1).toMatchObject({
      department: { code: 'health', name: { zh: '卫生健康', en: 'Health' } },
      orgUnits: [{ code: UNIT_CODES.T1, ancestors: [{ code: UNIT_CODES.C }, { code: UNIT_CODES.D1 }], parent: { code: UNIT_CODES.D1 } }],
      // P5 is PENDING: the link exists by number but the policy is not visible.
      legalBasis: [{ title: 'P1' }],
      legalBasisDocNumbers: [DOC.P1, DOC.P5],
      timeLimitDays: 5,
      locations: [{ name: '月河街道便民服务中心', phone: '0572-1234567' }],
    });
    expect(services.S2?.legalBasis).toEqual([]);
    expect(services.S4?.legalBasis).toEqual([{ title: 'P2' }]);
    const policies = Object.fromEntries(data.policies.edges.map(({ node }) => [node.title, node]));
    expect(policies.P1).toEqual({ title: 'P1', supersededBy: null, supersedes: [{ title: 'P2' }], relatedServices: [{ title: 'S1' }] });
    expect(policies.P2).toEqual({ title: 'P2', supersededBy: { title: 'P1' }, supersedes: [], relatedServices: [{ title: 'S4' }] });
  });

  it('answers org tree queries and resources per unit and department', async () => {
    const data = dataOf(
      await hub.gql<Record<string, unknown>>(`{
        roots: orgUnits { code }
        townships: orgUnits(level: 3) { code }
        v1: orgUnit(code: "${UNIT_CODES.V1}") { name level kind parent { code } ancestors { code level } children { code }
          resources { totalCount } own: resources(scope: SELF) { totalCount } }
        t1: orgUnit(code: "${UNIT_CODES.T1}") { children { code } resources(scope: SUBTREE, filter: { kinds: [EVENT] }) { totalCount } }
        missing: orgUnit(code: "999999") { code }
        departments { code }
        education: department(code: "education") { resources { totalCount } }
      }`),
    );
    expect(data).toEqual({
      roots: [{ code: UNIT_CODES.C }],
      townships: [{ code: UNIT_CODES.T1 }, { code: UNIT_CODES.T2 }],
      v1: {
        name: '杨家埠村',
        level: 4,
        kind: 'VILLAGE',
        parent: { code: UNIT_CODES.T1 },
        ancestors: [
          { code: UNIT_CODES.C, level: 1 },
          { code: UNIT_CODES.D1, level: 2 },
          { code: UNIT_CODES.T1, level: 3 },
        ],
        children: [],
        resources: { totalCount: 6 },
        own: { totalCount: 2 },
      },
      t1: { children: [{ code: UNIT_CODES.V1 }, { code: UNIT_CODES.V2 }], resources: { totalCount: 1 } },
      missing: null,
      departments: [{ code: 'health' }, { code: 'education' }, { code: 'culture' }],
      education: { resources: { totalCount: 3 } },
    });
  });
});

describe('node lookups', () => {
  it('finds every node type by global id, and nothing hidden or mistyped', async () => {
    const list = dataOf(
      await hub.gql<{ resources: { edges: { node: { id: string; title: string; __typename: string } }[] }; departments: { id: string }[]; orgUnit: { id: string } }>(
        `{ resources(first: 100) { edges { node { id title __typename } } } departments { id } orgUnit(code: "${UNIT_CODES.V1}") { id } }`,
      ),
    );
    const ids = Object.fromEntries(list.resources.edges.map(({ node }) => [node.title, node.id]));
    const lookup = dataOf(
      await hub.gql<{ nodes: ({ __typename: string; title?: string; code?: string } | null)[] }>(
        `query ($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Resource { title } ... on OrgUnit { code } ... on Department { code } } }`,
        { ids: [ids.S1, ids.P2, ids.E1, list.orgUnit.id, list.departments[0]?.id] },
      ),
    );
    expect(lookup.nodes).toEqual([
      { __typename: 'Service', title: 'S1' },
      { __typename: 'Policy', title: 'P2' },
      { __typename: 'Event', title: 'E1' },
      { __typename: 'OrgUnit', code: UNIT_CODES.V1 },
      { __typename: 'Department', code: 'health' },
    ]);

    const hidden = await hub.models.Resource.findOne({ title: 'P5' }).lean().exec();
    const encode = (type: string, hex: string) => Buffer.from(`${type}:${hex}`).toString('base64url');
    const single = async (id: string) => dataOf(await hub.gql<{ node: unknown }>(`query ($id: ID!) { node(id: $id) { id } }`, { id })).node;
    expect(await single(encode('Policy', hidden!._id.toHexString()))).toBeNull();
    // a Service's ObjectId presented as a Policy
    const s1 = Buffer.from(ids.S1!, 'base64url').toString().split(':')[1]!;
    expect(await single(encode('Policy', s1))).toBeNull();
    expect(await single(encode('Unknown', s1))).toBeNull();
    expect(await single(encode('Service', s1))).toEqual({ id: ids.S1 });
  });
});

describe('errors', () => {
  const expectBadInput = (response: Awaited<ReturnType<TestHub['gql']>>, pattern: RegExp) => {
    expect(response.status).toBe(200);
    const [error] = response.body.errors ?? [];
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error?.message).toMatch(pattern);
    // Chinese and English in one message
    expect(error?.message).toMatch(/[\u4e00-\u9fff].* \/ [A-Za-z]/);
    expect(error?.extensions?.requestId).toBe(response.headers.get('x-request-id'));
  };

  it.each([
    [`nodes(ids: [${Array.from({ length: 101 }, () => '"x"').join(', ')}]) { id }`, /At most 100 ids/],
    ['node(id: "not-an-id") { id }', /Invalid id/],
    ['node(id: "!!!") { id }', /Invalid id/],
    ['nodes(ids: ["UG9saWN5OnRvb3Nob3J0"]) { id }', /Invalid id: ids\[0\]/],
    ['resources(after: "garbage") { totalCount }', /Invalid cursor: after/],
    ['resources(before: "WyJ4Il0") { totalCount }', /Invalid cursor: before/],
    ['resources(last: -1) { totalCount }', /last must be/],
    ['resources(first: 1, last: 1) { totalCount }', /either first or last/],
    ['resources(filter: { orgUnit: { code: "000000" } }) { totalCount }', /Unknown org unit code/],
    ['resources(filter: { publishedAt: { from: "2025-01-01T00:00:00Z", to: "2024-01-01T00:00:00Z" } }) { totalCount }', /Invalid filter: filter.publishedAt/],
    ['resources(filter: { tags: [""] }) { totalCount }', /Invalid filter: filter.tags/],
    ['resources(filter: { orgLevels: [7] }) { totalCount }', /Invalid filter: filter.orgLevels/],
    ['orgUnits(level: 9) { code }', /level must be 1 to 4/],
  ])('%s → BAD_USER_INPUT', async (selection, pattern) => {
    expectBadInput(await hub.gql(`{ ${selection} }`), pattern);
  });

  it('refuses an oversized page before or during execution, never with a 500', async () => {
    // The operation limits (src/graphql/plugins/limits.ts) refuse it before execution (400);
    // the catalog's own check (first must be 0–100) stands behind them.
    const response = await hub.gql('{ resources(first: 101) { totalCount } }');
    expect([200, 400]).toContain(response.status);
    const [error] = response.body.errors ?? [];
    expect(['BAD_USER_INPUT', 'QUERY_TOO_COMPLEX']).toContain(error?.extensions?.code);
    expect(error?.message).toMatch(/[\u4e00-\u9fff].* \/ [A-Za-z]/);
  });

  it('refuses a cursor issued for another order', async () => {
    const byTitle = await page({ first: 1, orderBy: { field: 'TITLE', direction: 'ASC' } });
    expectBadInput(await hub.gql(`query ($after: String) { resources(after: $after) { totalCount } }`, { after: byTitle.pageInfo.endCursor }), /different orderBy/);
  });

  it('treats operator-looking strings as plain values', async () => {
    expect(await matching({ departments: ['{"$gt": ""}'], tags: ['$where'] })).toEqual([]);
  });

  it('answers 400 for parse errors, validation errors and bad variables, never 500', async () => {
    const parse = await hub.gql('{ resources(');
    expect(parse.status).toBe(400);
    expect(parse.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const validation = await hub.gql('{ resources { nope } }');
    expect(validation.status).toBe(400);
    expect(validation.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const variables = await hub.gql('query ($n: Int) { resources(first: $n) { totalCount } }', { n: 'many' });
    expect(variables.status).toBe(400);
    expect(variables.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const date = await hub.gql('query ($f: ResourceFilter) { resources(filter: $f) { totalCount } }', { f: { effectiveAt: 'yesterday' } });
    expect(date.status).toBe(400);
    const malformed = await fetch(`${hub.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query": ' });
    expect(malformed.status).toBe(400);
  });

  it('masks unexpected errors and logs them under the request id', async () => {
    const failing = await startTestHub('hub_api_fail', {
      schema: buildSchema([
        ...resolverModules,
        { resolvers: { Query: { departments: () => Promise.reject(new Error('connection string mongodb://secret@db')) } } },
      ]),
    });
    try {
      const response = await failing.gql('{ departments { code } }');
      expect(response.status).toBe(200);
      const [error] = response.body.errors ?? [];
      expect(error?.message).toBe('服务器内部错误 / Internal server error');
      expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(JSON.stringify(response.body)).not.toContain('secret');
      const requestId = response.headers.get('x-request-id');
      expect(error?.extensions?.requestId).toBe(requestId);
      const logged = failing.logs.find((line) => line.requestId === requestId && line.level === 50);
      expect(JSON.stringify(logged)).toContain('connection string mongodb://secret@db');
    } finally {
      await failing.stop();
    }
  });
});

describe('HTTP surface', () => {
  it('serves GraphiQL and its assets from the hub itself', async () => {
    const page = await fetch(`${hub.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/graphiql/assets/graphiql.min.js');
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of ['react.production.min.js', 'react-dom.production.min.js', 'graphiql.min.js', 'graphiql.min.css', 'init.js']) {
      const response = await fetch(`${hub.url}/graphiql/assets/${asset}`);
      expect(response.status, asset).toBe(200);
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(100);
    }
  });

  it('answers GET queries, health and readiness', async () => {
    const get = await fetch(`${hub.url}/graphql?query=${encodeURIComponent('{ departments { code } }')}`, {
      headers: { accept: 'application/graphql-response+json', 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(200);
    expect(((await get.json()) as { data: { departments: unknown[] } }).data.departments).toHaveLength(3);
    expect(await (await fetch(`${hub.url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${hub.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(ready.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports not ready while shutting down, and still answers requests in flight', async () => {
    const closing = await startTestHub('hub_api_closing');
    try {
      closing.markShuttingDown();
      const ready = await fetch(`${closing.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'shutting-down' });
      expect(dataOf(await closing.gql<{ departments: unknown[] }>('{ departments { code } }')).departments).toEqual([]);
    } finally {
      await closing.stop();
    }
  });
});
