import type { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GrantInput } from '../../src/domain/auth/index.js';
import { toGlobalId } from '../../src/graphql/index.js';
import { codeOf, insertResources, startHub, type Hub, type ResourceSpec, type UnitKey } from './harness.js';

/**
 * Every role × confidentiality × status × in/out of scope, over every read path: lists
 * (all kinds), node/nodes, nested org-unit and department connections, linked policies,
 * totalCount, facets and search. The expectation is an oracle written from the table,
 * independent of visibilityFilter.
 */

const STATUSES = ['DRAFT', 'PENDING', 'PUBLISHED', 'REJECTED', 'WITHDRAWN'] as const;
const LEVELS = ['PUBLIC', 'INTERNAL', 'RESTRICTED'] as const;
/** T1/V1: in the township scope; CITY: the lineage above it; V2: out of scope. */
const PLACES: UnitKey[] = ['V1', 'T1', 'CITY', 'V2'];
const DEPARTMENTS = ['health', 'culture'] as const;
const KINDS = ['SERVICE', 'POLICY', 'EVENT'] as const;
const DOC_NUMBER = '湖矩发〔2024〕1号';

interface Fixture {
  id: Types.ObjectId;
  globalId: string;
  kind: (typeof KINDS)[number];
  status: string;
  confidentiality: string;
  place: UnitKey;
  department: string;
}

type Persona = {
  name: string;
  grants: GrantInput[] | null;
  sees: (r: Fixture) => boolean;
};

const subtreeOf: Record<string, UnitKey[]> = { T1: ['T1', 'V1'] };
const lineageOf: Record<string, UnitKey[]> = { T1: ['CITY', 'D1', 'T1'], V1: ['CITY', 'D1', 'T1', 'V1'] };
const published = (r: Fixture) => r.status === 'PUBLISHED';
const publicPublished = (r: Fixture) => published(r) && r.confidentiality === 'PUBLIC';
const internalOfLineage = (unit: UnitKey) => (r: Fixture) => published(r) && r.confidentiality === 'INTERNAL' && lineageOf[unit]!.includes(r.place);
const inSubtree = (unit: UnitKey) => (r: Fixture) => subtreeOf[unit]!.includes(r.place);

const PERSONAS: Persona[] = [
  { name: 'anonymous', grants: null, sees: publicPublished },
  { name: 'platform', grants: [{ role: 'PLATFORM_ADMIN' }], sees: () => true },
  {
    name: 'orgadmin',
    grants: [{ role: 'ORG_ADMIN', orgUnitCode: codeOf('T1') }],
    sees: (r) => publicPublished(r) || inSubtree('T1')(r) || internalOfLineage('T1')(r),
  },
  { name: 'deptadmin', grants: [{ role: 'DEPARTMENT_ADMIN', department: 'health' }], sees: (r) => publicPublished(r) || r.department === 'health' },
  {
    name: 'deptadmin-t1',
    grants: [{ role: 'DEPARTMENT_ADMIN', department: 'health', orgUnitCode: codeOf('T1') }],
    sees: (r) => publicPublished(r) || (r.department === 'health' && inSubtree('T1')(r)) || internalOfLineage('T1')(r),
  },
  {
    name: 'reviewer',
    grants: [{ role: 'REVIEWER', orgUnitCode: codeOf('T1'), stages: ['初审'] }],
    sees: (r) => publicPublished(r) || (inSubtree('T1')(r) && ['PUBLISHED', 'PENDING', 'REJECTED'].includes(r.status)) || internalOfLineage('T1')(r),
  },
  { name: 'analyst-t1', grants: [{ role: 'ANALYST', orgUnitCode: codeOf('T1') }], sees: (r) => publicPublished(r) || (published(r) && inSubtree('T1')(r)) },
  { name: 'analyst-all', grants: [{ role: 'ANALYST' }], sees: published },
  { name: 'member', grants: [{ role: 'MEMBER', orgUnitCode: codeOf('V1') }], sees: (r) => publicPublished(r) || internalOfLineage('V1')(r) },
];

let hub: Hub;
const fixtures: Fixture[] = [];
const tokens = new Map<string, string | null>();
const TYPE = { SERVICE: 'Service', POLICY: 'Policy', EVENT: 'Event' } as const;

beforeAll(async () => {
  hub = await startHub('access_matrix');
  const specs: (ResourceSpec & { place: UnitKey })[] = [];
  let n = 0;
  for (const status of STATUSES)
    for (const confidentiality of LEVELS)
      for (const place of PLACES)
        for (const department of DEPARTMENTS) {
          const kind = KINDS[n++ % KINDS.length]!;
          specs.push({
            kind,
            title: `权限矩阵 ${status} ${confidentiality} ${place} ${department} ${n}`,
            department,
            unit: hub.units[place],
            place,
            status,
            confidentiality,
            extra: kind === 'POLICY' ? { docNumber: DOC_NUMBER } : kind === 'SERVICE' ? { legalBasisDocNumbers: [DOC_NUMBER] } : {},
          });
        }
  const ids = await insertResources(hub.models, specs);
  specs.forEach((spec, index) =>
    fixtures.push({
      id: ids[index]!,
      globalId: toGlobalId(TYPE[spec.kind], ids[index]!),
      kind: spec.kind,
      status: spec.status,
      confidentiality: spec.confidentiality,
      place: spec.place,
      department: spec.department,
    }),
  );
  for (const persona of PERSONAS) tokens.set(persona.name, persona.grants ? (await hub.user(persona.name, persona.grants)).token : null);
});

afterAll(async () => {
  await hub?.close();
});

// Ids page by page, and counts with facets in a query of their own (the hub's query cost limit).
const LIST = /* GraphQL */ `
  query List($after: String) {
    resources(first: 50, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes { id }
    }
  }
`;
const COUNTS = /* GraphQL */ `
  query Counts {
    resources(first: 1) {
      totalCount
      facets { department { value count } kind { value count } orgLevel { value count } category { value count } }
    }
  }
`;

interface Bucket {
  value: string;
  count: number;
}
interface ListResult {
  resources: { pageInfo: { hasNextPage: boolean; endCursor: string }; nodes: { id: string }[] };
}
interface CountsResult {
  resources: { totalCount: number; facets: Record<string, Bucket[]> };
}

function countBy(items: Fixture[], key: (r: Fixture) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

function bucketsAsRecord(buckets: Bucket[]): Record<string, number> {
  return Object.fromEntries(buckets.filter((bucket) => bucket.count > 0).map((bucket) => [bucket.value, bucket.count]));
}

const levelOf: Record<UnitKey, string> = { CITY: '1', D1: '2', D2: '2', T1: '3', T2: '3', V1: '4', V2: '4' };

describe.each(PERSONAS.map((persona) => [persona.name, persona] as const))('%s', (_name, persona) => {
  const token = () => tokens.get(persona.name) ?? null;
  const expected = () => fixtures.filter(persona.sees);
  const ids = (items: Fixture[]) => items.map((item) => item.globalId).sort();

  it('sees exactly the expected resources in lists, with totalCount and facets that agree', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof hub.gql<ListResult>>> = await hub.gql<ListResult>(LIST, { after }, token());
      expect(page.errors).toBeUndefined();
      seen.push(...page.data!.resources.nodes.map((node) => node.id));
      after = page.data!.resources.pageInfo.hasNextPage ? page.data!.resources.pageInfo.endCursor : null;
    } while (after);
    const counts = await hub.gql<CountsResult>(COUNTS, {}, token());
    expect(counts.errors).toBeUndefined();
    const first = counts.data!.resources;
    const want = expected();
    expect(seen.sort()).toEqual(ids(want));
    expect(first.totalCount).toBe(want.length);
    expect(bucketsAsRecord(first.facets.department!)).toEqual(countBy(want, (r) => r.department));
    expect(bucketsAsRecord(first.facets.kind!)).toEqual(countBy(want, (r) => r.kind));
    expect(bucketsAsRecord(first.facets.orgLevel!)).toEqual(countBy(want, (r) => levelOf[r.place]));
    expect(bucketsAsRecord(first.facets.category!)).toEqual(want.length ? { 矩阵分类: want.length } : {});
  });

  it('gets the same counts from services, policies and events', async () => {
    const response = await hub.gql<Record<string, { totalCount: number }>>(
      '{ services(first: 1) { totalCount } policies(first: 1) { totalCount } events(first: 1) { totalCount } }',
      {},
      token(),
    );
    const want = countBy(expected(), (r) => r.kind);
    expect(response.data).toEqual({
      services: { totalCount: want.SERVICE ?? 0 },
      policies: { totalCount: want.POLICY ?? 0 },
      events: { totalCount: want.EVENT ?? 0 },
    });
  });

  it('gets a node by id exactly when it is visible (null, never an error, otherwise)', async () => {
    const all = fixtures.map((item) => item.globalId);
    const found: (string | null)[] = [];
    for (let start = 0; start < all.length; start += 100) {
      const response = await hub.gql<{ nodes: ({ id: string } | null)[] }>('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: all.slice(start, start + 100) }, token());
      expect(response.errors).toBeUndefined();
      found.push(...response.data!.nodes.map((node) => node?.id ?? null));
    }
    const visibleIds = new Set(ids(expected()));
    expect(found).toEqual(all.map((id) => (visibleIds.has(id) ? id : null)));
    const hidden = fixtures.find((item) => !persona.sees(item));
    if (hidden) {
      const one = await hub.gql<{ node: unknown }>('query($id: ID!) { node(id: $id) { id } }', { id: hidden.globalId }, token());
      expect(one).toMatchObject({ data: { node: null } });
      expect(one.errors).toBeUndefined();
    }
  });

  it('sees the same through nested org-unit and department connections', async () => {
    const response = await hub.gql<{
      v1: { resources: { totalCount: number; nodes: { id: string }[] } };
      t1: { resources: { totalCount: number; nodes: { id: string }[] } };
      health: { resources: { totalCount: number } };
    }>(
      `query($v1: String!, $t1: String!) {
        v1: orgUnit(code: $v1) { resources(scope: INHERITED, first: 100) { totalCount nodes { id } } }
        t1: orgUnit(code: $t1) { resources(scope: SUBTREE, first: 100) { totalCount nodes { id } } }
        health: department(code: "health") { resources(first: 1) { totalCount } }
      }`,
      { v1: codeOf('V1'), t1: codeOf('T1') },
      token(),
    );
    expect(response.errors).toBeUndefined();
    const want = expected();
    const inherited = want.filter((r) => lineageOf.V1!.includes(r.place));
    const subtree = want.filter((r) => subtreeOf.T1!.includes(r.place));
    expect(response.data!.v1.resources.nodes.map((node) => node.id).sort()).toEqual(ids(inherited));
    expect(response.data!.v1.resources.totalCount).toBe(inherited.length);
    expect(response.data!.t1.resources.nodes.map((node) => node.id).sort()).toEqual(ids(subtree));
    expect(response.data!.t1.resources.totalCount).toBe(subtree.length);
    expect(response.data!.health.resources.totalCount).toBe(want.filter((r) => r.department === 'health').length);
  });

  it('follows links (legal basis) only to visible policies', async () => {
    const response = await hub.gql<{ services: { nodes: { legalBasis: { id: string }[] }[] } }>(
      '{ services(first: 100) { nodes { legalBasis { id } } } }',
      {},
      token(),
    );
    expect(response.errors).toBeUndefined();
    const policies = ids(expected().filter((r) => r.kind === 'POLICY'));
    for (const service of response.data!.services.nodes) expect(service.legalBasis.map((policy) => policy.id).sort()).toEqual(policies);
  });

  it('finds through search exactly the visible resources, with facets that agree', async () => {
    const response = await hub.gql<{ search: { totalCount: number; facets: { department: Bucket[]; kind: Bucket[] } } }>(
      '{ search(query: "权限矩阵", first: 5) { totalCount facets { department { value count } kind { value count } } } }',
      {},
      token(),
    );
    expect(response.errors).toBeUndefined();
    const want = expected();
    expect(response.data!.search.totalCount).toBe(want.length);
    expect(bucketsAsRecord(response.data!.search.facets.department)).toEqual(countBy(want, (r) => r.department));
    expect(bucketsAsRecord(response.data!.search.facets.kind)).toEqual(countBy(want, (r) => r.kind));
  });
});

describe('the oracle', () => {
  it('covers every combination and both sides of every scope', () => {
    expect(fixtures).toHaveLength(STATUSES.length * LEVELS.length * PLACES.length * DEPARTMENTS.length);
    for (const persona of PERSONAS.filter((p) => p.name !== 'platform')) {
      expect(fixtures.some((r) => persona.sees(r))).toBe(true);
      expect(fixtures.some((r) => !persona.sees(r))).toBe(true);
    }
  });
});
