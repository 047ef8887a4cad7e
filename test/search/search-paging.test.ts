import { Types, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStore, createModels, ensureIndexes, type Models } from '../../src/db/index.js';
import { anonymousViewer } from '../../src/domain/visibility/index.js';
import { computeSearchTerms, SearchService, type SearchPage } from '../../src/search/index.js';
import { uniqueDbName, uriForDb } from '../support/mongo.js';

/**
 * Paging through a randomized corpus ranked in the database: every page size walks the same
 * total order (score descending, then _id), each visible match exactly once, and the flags
 * agree with the position.
 */

let connection: Connection;
let service: SearchService;
const asOf = Date.parse('2025-06-01T00:00:00Z');
const words = ['医保', '报销', '社区', '养老', '医疗保险', '服务', '指南'];
let seed = 7;
const random = (n: number): number => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed % n;
};
const text = (count: number): string => Array.from({ length: count }, () => words[random(words.length)]).join('');

beforeAll(async () => {
  connection = await connectStore(uriForDb(uniqueDbName('search_paging')));
  const models: Models = createModels(connection);
  await ensureIndexes(models);
  const docs = Array.from({ length: 300 }, () => {
    const policy = random(3) === 0;
    const date = new Date(asOf - random(3000) * 86_400_000);
    const doc = {
      _id: new Types.ObjectId(),
      kind: policy ? 'POLICY' : 'SERVICE',
      title: text(random(3)) || '通知',
      summary: text(random(5)),
      body: `<p>${text(random(4))}</p>`,
      tags: random(4) === 0 ? [text(1)] : [],
      department: ['health', 'civil', 'justice'][random(3)],
      categories: [],
      orgUnits: [],
      orgPaths: [],
      orgLevels: [1 + random(4)],
      audience: [],
      confidentiality: random(10) === 0 ? 'INTERNAL' : 'PUBLIC',
      status: 'PUBLISHED',
      provenance: [],
      version: 1,
      createdAt: date,
      updatedAt: date,
      ...(policy ? { validity: random(6) === 0 ? 'REPEALED' : 'VALID', publishedAt: date } : {}),
    };
    return { ...doc, searchTerms: computeSearchTerms(doc) };
  });
  await models.Resource.collection.insertMany(docs);
  service = new SearchService(models);
});

afterAll(async () => {
  await connection?.close();
});

async function walk(query: string, first: number): Promise<{ ids: string[]; scores: number[]; pages: SearchPage[] }> {
  const pages: SearchPage[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await service.search({ query, viewer: anonymousViewer, first, after, now: asOf });
    pages.push(page);
    expect(page.hasPreviousPage).toBe(after !== undefined);
    const last = page.hits.at(-1);
    if (!page.hasNextPage || !last) break;
    after = last.cursor;
  }
  const hits = pages.flatMap((page) => page.hits);
  return { ids: hits.map((hit) => hit.node._id.toHexString()), scores: hits.map((hit) => hit.score), pages };
}

describe('search paging over a ranked corpus', () => {
  it('walks one total order with every page size', async () => {
    for (const query of ['医保', '社区 服务', '养老服务', '指南']) {
      const whole = await walk(query, 100);
      const total = whole.pages[0]!.totalCount;
      // More than the smaller page sizes, so that those walks cross pages.
      expect(total).toBeGreaterThan(7);
      expect(whole.ids).toHaveLength(total);
      expect(new Set(whole.ids).size).toBe(total);
      whole.scores.forEach((score, i) => {
        if (i === 0) return;
        const previous = whole.scores[i - 1]!;
        expect(score).toBeLessThanOrEqual(previous);
        if (score === previous) expect(whole.ids[i]! > whole.ids[i - 1]!).toBe(true);
      });
      for (const first of [20, 7, 1]) {
        const paged = await walk(query, first);
        expect(paged.ids).toEqual(whole.ids);
        expect(paged.scores).toEqual(whole.scores);
        for (const page of paged.pages) expect(page.totalCount).toBe(total);
      }
    }
  });

  it('counts facets over every visible match, not the page', async () => {
    const page = await service.search({ query: '医保', viewer: anonymousViewer, first: 1, now: asOf });
    const sum = (buckets: { count: number }[]) => buckets.reduce((n, bucket) => n + bucket.count, 0);
    expect(sum(page.facets.kind)).toBe(page.totalCount);
    expect(sum(page.facets.department)).toBe(page.totalCount);
    expect(sum(page.facets.orgLevel)).toBe(page.totalCount);
    expect(page.facets.category).toEqual([]);
  });
});
