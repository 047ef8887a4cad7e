import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataOf, startTestHub, type TestHub } from './harness.js';
import { insertNestedCatalogue, NESTED_QUERY } from './nested-fixture.js';

let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub('hub_nplus1');
  await insertNestedCatalogue(hub.models, 90);
});

afterAll(async () => {
  await hub?.stop();
});

async function commandsFor(pageSize: number): Promise<string[]> {
  hub.commands.length = 0;
  const data = dataOf(await hub.gql<{ resources: { edges: unknown[] } }>(NESTED_QUERY, { n: pageSize }));
  expect(data.resources.edges).toHaveLength(pageSize);
  return [...hub.commands];
}

describe('no N+1', () => {
  it('sends the same small number of commands for 5 and for 50 resources', async () => {
    const five = await commandsFor(5);
    const fifty = await commandsFor(50);
    // page, count, departments, org units, ancestors, legal basis, superseded-by, supersedes,
    // related services by item code and by legal basis: one command each, whatever the page size
    expect([...fifty].sort()).toEqual([...five].sort());
    expect([...fifty].sort()).toEqual(['aggregate', ...Array<string>(8).fill('find')]);
  });

  it('counts commands for real: a second nested level adds commands, more rows do not', async () => {
    const shallow = await commandsFor(20);
    hub.commands.length = 0;
    dataOf(await hub.gql(`{ resources(first: 20) { edges { node { title } } } }`));
    expect(hub.commands).toEqual(['find']);
    expect(shallow.length).toBeGreaterThan(5);
  });
});
