import { Types } from 'mongoose';
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

describe('provenance names its feed', () => {
  it('for anyone who can see the resource, with one feed lookup per page; an unregistered feed id shows no name', async () => {
    const feeds = [new Types.ObjectId(), new Types.ObjectId()];
    const gone = new Types.ObjectId();
    await hub.models.Feed.collection.insertMany([
      { _id: feeds[0], name: '卫健 预防接种门诊', department: 'health' },
      { _id: feeds[1], name: '教育 学校名录', department: 'education' },
    ]);
    const resources = await hub.models.Resource.find({}, { _id: 1 }).sort({ title: 1 }).lean();
    await hub.models.Resource.bulkWrite(
      resources.map((resource, i) => ({
        updateOne: {
          filter: { _id: resource._id },
          update: { $set: { provenance: [{ feedId: i === 0 ? gone : feeds[i % 2]!, sourceId: `s-${i}`, fetchedAt: new Date(), contentHash: `h${i}` }] } },
        },
      })),
    );
    hub.commands.length = 0;
    const data = dataOf(
      await hub.gql<{ resources: { edges: { node: { provenance: { feedName: string | null }[] } }[] } }>(
        `{ resources(first: 30, orderBy: { field: TITLE, direction: ASC }) { edges { node { provenance { feedName } } } } }`,
      ),
    );
    const names = data.resources.edges.map((edge) => edge.node.provenance[0]!.feedName);
    expect(names.slice(0, 3)).toEqual([null, '教育 学校名录', '卫健 预防接种门诊']);
    expect(names.filter((name) => name === '卫健 预防接种门诊')).toHaveLength(14);
    expect(hub.commands).toEqual(['find', 'find']);
  });
});
