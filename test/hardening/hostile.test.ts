import { createHash } from 'node:crypto';
import type { GraphQLInputObjectType, GraphQLInputType, GraphQLNamedType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/graphql/index.js';
import { NESTED_QUERY } from '../hub/nested-fixture.js';
import { startHardenedHub, type HardenedHub } from './harness.js';

/**
 * Hostile clients against the real app over HTTP (development mode: limits on, allowlist and
 * rate limits off). Every attack gets a 4xx naming the limit; the server stays up; afterwards
 * the nested query still answers the same and the stored data has not changed.
 */

let hub: HardenedHub;
let before: string;
let expected: unknown;

async function dataFingerprint(): Promise<string> {
  const docs = await hub.connection.db!.collection('resources').find({}).sort({ _id: 1 }).toArray();
  return createHash('sha256').update(JSON.stringify(docs)).digest('hex');
}

beforeAll(async () => {
  hub = await startHardenedHub('hardening_hostile');
  before = await dataFingerprint();
  const response = await hub.gql(NESTED_QUERY, { n: 20 });
  expect(response.status).toBe(200);
  expected = response.body.data;
});

afterAll(async () => {
  await hub?.stop();
});

async function refused(query: string, variables: Record<string, unknown> = {}): Promise<{ status: number; code: unknown; limit: unknown; message: string }> {
  const response = await hub.gql(query, variables);
  const error = response.body.errors?.[0];
  return { status: response.status, code: error?.extensions?.code, limit: error?.extensions?.limit, message: error?.message ?? '' };
}

const nest = (levels: number, leaf: string) => `orgUnits { ${'children { '.repeat(levels)}${leaf}${' }'.repeat(levels)} }`;

describe('operation limits', () => {
  it('a 1,000-level deep query is refused before execution', async () => {
    const result = await refused(`{ ${'a { '.repeat(1000)} b ${'} '.repeat(1000)} }`);
    expect(result).toMatchObject({ status: 400, code: 'QUERY_TOO_COMPLEX', limit: 'tokens' });
    expect(result.message).toContain('Query exceeds the token count limit');
  });

  it('a query deeper than the depth limit is refused, naming depth but not the value', async () => {
    const result = await refused(`{ ${nest(11, 'code')} }`);
    expect(result).toMatchObject({ status: 400, code: 'QUERY_TOO_COMPLEX', limit: 'depth' });
    expect(result.message).not.toMatch(/\d/);
  });

  it('10,000 aliases are refused: by the body cap, and by the token limit when the cap is larger', async () => {
    const query = `{ ${Array.from({ length: 10_000 }, (_, i) => `a${i}: __typename`).join(' ')} }`;
    expect((await refused(query)).status).toBe(413);
    const roomy = await startHardenedHub('hardening_roomy', { GRAPHQL_MAX_BODY_BYTES: String(1024 * 1024) });
    try {
      const response = await roomy.gql(query);
      expect(response.status).toBe(400);
      expect(response.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'tokens' });
    } finally {
      await roomy.stop();
    }
  });

  it('aliases over the alias limit are refused within the token limit', async () => {
    const result = await refused(`{ ${Array.from({ length: 40 }, (_, i) => `a${i}: departments { code }`).join(' ')} }`);
    expect(result).toMatchObject({ status: 400, code: 'QUERY_TOO_COMPLEX', limit: 'aliases' });
  });

  it('directives over the directive limit are refused', async () => {
    const result = await refused(`{ departments { ${'... @include(if: true) { code } '.repeat(40)} } }`);
    expect(result).toMatchObject({ status: 400, code: 'QUERY_TOO_COMPLEX', limit: 'directives' });
  });

  it('a cost bomb through nested connections is refused', async () => {
    const result = await refused(`{ orgUnits { children { children { resources(first: 100) { edges { node { title orgUnits { resources(first: 100) { totalCount } } } } } } } } }`);
    expect(result).toMatchObject({ status: 400, code: 'QUERY_TOO_COMPLEX', limit: 'cost' });
    expect(result.message).not.toContain('5000');
  });

  it('the cost counts page sizes given as variables', async () => {
    const query = 'query ($n: Int) { orgUnits { children { resources(first: $n) { edges { node { title orgUnits { code ancestors { code } } } } } } } }';
    expect((await hub.gql(query, { n: 1 })).status).toBe(200);
    expect(await refused(query, { n: 100 })).toMatchObject({ status: 400, limit: 'cost' });
  });

  it('every first/last has a maximum', async () => {
    expect(await refused('{ resources(first: 1000) { totalCount } }')).toMatchObject({ status: 400, code: 'QUERY_TOO_COMPLEX', limit: 'pageSize' });
    expect(await refused('{ orgUnits { resources(last: 101) { totalCount } } }')).toMatchObject({ status: 400, limit: 'pageSize' });
    expect(await refused('query ($n: Int) { search(query: "医保", first: $n) { totalCount } }', { n: 5000 })).toMatchObject({ status: 400, limit: 'pageSize' });
  });

  it('a batch of operations is refused (batching is off by default)', async () => {
    const response = await hub.post(JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]));
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toContain('QUERY_TOO_COMPLEX');
  });
});

describe('malformed requests', () => {
  it('a 10 MB body is refused with 413 without being parsed', async () => {
    const response = await hub.post(JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(10 * 1024 * 1024) } }));
    expect(response.status).toBe(413);
  });

  it('malformed JSON gets 400', async () => {
    for (const body of ['{"query": ', '{"query": "{ __typename }",}', '\u0000\u0001', 'null']) {
      const response = await hub.post(body);
      expect(response.status, body).toBe(400);
    }
  });

  it('a wrong content type is refused', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml']) {
      const response = await hub.post(JSON.stringify({ query: '{ __typename }' }), { 'content-type': type });
      expect(response.status, type).toBeGreaterThanOrEqual(400);
      expect(response.status, type).toBeLessThan(500);
    }
  });

  it('variables of the wrong type get 400 BAD_USER_INPUT', async () => {
    for (const n of ['x', { $gt: 0 }, [1], 1.5, true]) {
      expect(await refused(NESTED_QUERY, { n })).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
    }
  });

  it('a mutation over GET is refused', async () => {
    const query = encodeURIComponent('mutation { login(username: "root", password: "x") { token } }');
    const response = await fetch(`${hub.graphqlUrl}?query=${query}`, { headers: { accept: 'application/graphql-response+json', 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(405);
  });
});

// The schema is built by @graphql-tools with its own copy of graphql (CJS), so types are told apart
// by shape and printed form, not by graphql's instanceof predicates.
const namedOf = (type: GraphQLInputType): GraphQLNamedType => ('ofType' in type ? namedOf(type.ofType as GraphQLInputType) : type);
const isList = (type: GraphQLInputType) => String(type).replace(/!$/, '').startsWith('[');
const isInputObject = (type: GraphQLNamedType): type is GraphQLInputObjectType => 'getFields' in type;
const isEnum = (type: GraphQLNamedType) => 'getValues' in type;

/** Every leaf of an input type, as a path and its GraphQL type. */
function leaves(type: GraphQLInputObjectType, prefix: string[] = []): { path: string[]; type: GraphQLInputType }[] {
  return Object.values(type.getFields()).flatMap((field) => {
    const named = namedOf(field.type);
    return isInputObject(named) ? leaves(named, [...prefix, field.name]) : [{ path: [...prefix, field.name], type: field.type }];
  });
}

function at(path: string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

describe('operator injection in every filter', () => {
  const filterType = buildSchema().getType('ResourceFilter') as GraphQLInputObjectType;
  const fields = leaves(filterType);
  const query = 'query ($filter: ResourceFilter) { resources(first: 100, filter: $filter) { totalCount edges { node { title } } } }';

  it('covers the filter fields', () => {
    expect(fields.map((field) => field.path.join('.'))).toEqual(expect.arrayContaining(['departments', 'tags', 'orgUnit.code', 'publishedAt.from']));
  });

  it.each(fields.map((field) => [field.path.join('.'), field] as const))('%s: operator objects are refused, operator strings match nothing', async (_name, field) => {
    const wrap = (value: unknown) => (isList(field.type) ? [value] : value);
    for (const operator of [{ $gt: '' }, { $ne: null }, { $where: 'sleep(1000)' }, { $regex: '.*' }]) {
      const result = await refused(query, { filter: at(field.path, wrap(operator)) });
      expect(result, JSON.stringify(operator)).toMatchObject({ status: 400, code: 'BAD_USER_INPUT' });
    }
    const named = namedOf(field.type);
    if (named.name !== 'String' && !isEnum(named)) return;
    for (const text of ['{"$gt": ""}', '$ne', '.*', '$where']) {
      const response = await hub.gql<{ resources: { totalCount: number } }>(query, { filter: at(field.path, wrap(text)) });
      // A string is a value: it matches nothing here, or is refused as unknown (an org code, an enum value).
      if (response.body.errors) expect(response.body.errors[0]?.extensions?.code, `${text}: ${JSON.stringify(response.body.errors)}`).toBe('BAD_USER_INPUT');
      else expect(response.body.data!.resources.totalCount, text).toBe(0);
    }
  });
});

describe('regex catastrophes', () => {
  it('search text is never compiled as a pattern, and evil patterns answer at once', async () => {
    for (const text of ['(a+)+$', `${'a'.repeat(5000)}!`, '(.*a){20}', '\\', '[', '(?<x>', '$regex', '.*']) {
      const response = await hub.gql<{ search: { totalCount: number } }>('query ($q: String!) { search(query: $q, first: 5) { totalCount } }', { q: text });
      expect(response.status, text).toBeLessThan(500);
      if (response.body.errors) expect(response.body.errors[0]?.extensions?.code, `${text}: ${JSON.stringify(response.body.errors)}`).toBe('BAD_USER_INPUT');
      else expect(response.body.data!.search.totalCount, text).toBe(0);
    }
  });
});

describe('afterwards', () => {
  it('the server is up, the nested query answers the same, and no data changed', async () => {
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
    const response = await hub.gql(NESTED_QUERY, { n: 20 });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual(expected);
    expect(await dataFingerprint()).toBe(before);
  });
});
