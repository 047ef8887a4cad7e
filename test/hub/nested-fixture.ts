import type { Models } from '../../src/db/index.js';
import { placementOf } from '../../src/domain/org/index.js';
import { insertDepartments, insertOrgTree } from './fixture.js';

const DEPARTMENTS = ['health', 'education', 'culture'] as const;

export const NESTED_QUERY = `query Nested($n: Int!) {
  resources(first: $n, orderBy: { field: TITLE, direction: ASC }) {
    totalCount
    edges { node {
      title
      department { code name { zh } }
      orgUnits { code name ancestors { code name } }
      ... on Service { legalBasis { title docNumber } }
      ... on Policy { supersededBy { title } supersedes { title } relatedServices { title } }
      ... on Event { venue }
    } }
  }
}`;

/** The benchmark query: 20 resources, each with its department, org units with ancestors and linked policies. */
export const BENCH_NESTED_QUERY = `query Nested {
  resources(first: 20, orderBy: { field: TITLE, direction: ASC }) {
    edges { node {
      title
      department { code name { zh } }
      orgUnits { code name ancestors { code name } }
      ... on Service { legalBasis { title docNumber } }
      ... on Policy { supersededBy { title docNumber } }
    } }
  }
}`;

/**
 * `count` published resources cycling Service, Policy, Event, attached to grassroots units (so
 * their ancestors are never already loaded as attached units), each service resting on a
 * policy and each policy naming a service and replacing an older policy: every nested field
 * has something to load on every page.
 */
export async function insertNestedCatalogue(models: Models, count: number): Promise<void> {
  await insertDepartments(models);
  const units = await insertOrgTree(models);
  const leaves = [units.V1, units.V2, units.V3];
  const docNumber = (i: number) => `测发〔2024〕${i}号`;
  const docs = Array.from({ length: count }, (_, i) => {
    const base = {
      title: `R${String(i).padStart(4, '0')}`,
      department: DEPARTMENTS[i % DEPARTMENTS.length],
      ...placementOf([leaves[i % leaves.length]!]),
      status: 'PUBLISHED',
      confidentiality: 'PUBLIC',
      categories: ['测试'],
    };
    switch (i % 3) {
      case 0:
        return { ...base, kind: 'SERVICE', itemCode: `SVC-${i}`, legalBasisDocNumbers: [docNumber(i + 1)] };
      case 1:
        return {
          ...base,
          kind: 'POLICY',
          docNumber: docNumber(i),
          validity: 'VALID',
          relatedServiceItemCodes: [`SVC-${i - 1}`],
          supersededByDocNumber: i + 3 < count ? docNumber(i + 3) : undefined,
        };
      default:
        return { ...base, kind: 'EVENT', startsAt: new Date(Date.UTC(2025, 0, 1 + i)), venue: `活动场地${i}` };
    }
  });
  await models.Resource.insertMany(docs, { lean: true });
}
