import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStore, createModels, ensureIndexes, type Models } from '../../src/db/index.js';
import { anonymousViewer } from '../../src/domain/visibility/index.js';
import { ensureSearchTermsCurrent, reindexSearchTerms, SEARCH_TERMS_VERSION, SearchQueryError, SearchService } from '../../src/search/index.js';
import { uniqueDbName, uriForDb } from '../support/mongo.js';
import { HIDDEN_CATEGORY, HIDDEN_DEPARTMENT, ids, insertFixtures } from './fixtures.js';

let connection: Connection;
let models: Models;
let service: SearchService;
const now = Date.parse('2025-06-01T00:00:00Z');

beforeAll(async () => {
  connection = await connectStore(uriForDb(uniqueDbName('search_service')));
  models = createModels(connection);
  await ensureIndexes(models);
  await insertFixtures(models);
  service = new SearchService(models);
});

afterAll(async () => {
  await connection?.close();
});

const search = (query: string, extra: { first?: number; after?: string } = {}) =>
  service.search({ query, viewer: anonymousViewer, now, ...extra });
const idsOf = (page: Awaited<ReturnType<typeof search>>) => page.hits.map((hit) => hit.node._id.toHexString());

describe('search service on the store', () => {
  it('ranks a title phrase over synonyms and body mentions, and penalises a repealed policy', async () => {
    const page = await search('医保报销');
    expect(idsOf(page)).toEqual([ids.guide, ids.event, ids.repealed, ids.remote].map(String));
    expect(page.totalCount).toBe(4);
  });

  it('never returns hidden records, not even in facet counts', async () => {
    const page = await search('内部');
    expect(page.totalCount).toBe(0);
    const all = await search('医保');
    expect(idsOf(all)).not.toContain(String(ids.draft));
    expect(idsOf(all)).not.toContain(String(ids.internal));
    expect(all.facets.department.map((b) => b.value)).not.toContain(HIDDEN_DEPARTMENT);
    expect(all.facets.category.map((b) => b.value)).not.toContain(HIDDEN_CATEGORY);
    expect(all.facets.kind.reduce((sum, b) => sum + b.count, 0)).toBe(all.totalCount);
  });

  it('finds a document number exactly, whatever brackets are typed', async () => {
    for (const query of ['国办发〔2024〕12号', '国办发[2024]12号', '国办发（2024）12号']) {
      const page = await search(query);
      expect(idsOf(page)).toEqual([ids.policyNational, ids.provincial].map(String));
    }
  });

  it('expands synonyms and pinyin', async () => {
    expect(idsOf(await search('低保'))).toEqual([String(ids.dibao)]);
    expect(idsOf(await search('法援 电话'))).toEqual([String(ids.legalAid)]);
    expect(idsOf(await search('yibao'))).toContain(String(ids.guide));
    expect(idsOf(await search('yb'))).toContain(String(ids.guide));
    expect(idsOf(await search('shenqingfalvyuanzhu'))).toEqual([String(ids.legalAid)]);
  });

  it('pages with stable cursors that survive inserts', async () => {
    const first = await search('医保', { first: 2 });
    expect(first.hits).toHaveLength(2);
    expect(first.hasNextPage).toBe(true);
    const rest = await search('医保', { first: 50, after: first.hits[1]!.cursor });
    expect(rest.hasPreviousPage).toBe(true);
    const whole = await search('医保', { first: 50 });
    expect([...idsOf(first), ...idsOf(rest)]).toEqual(idsOf(whole));
  });

  it('highlights title and body, escaped and well-formed', async () => {
    const page = await search('医保');
    const event = page.hits.find((hit) => hit.node._id.equals(ids.event))!;
    expect(event.highlights.title).toBe('&lt;b&gt;社区&lt;/b&gt;<em>医保</em>宣传活动 &amp; 讲座');
    expect(event.highlights.body).toBe('现场讲解&quot;<em>医保</em>报销&quot;政策');
  });

  it('rejects bad input with bilingual errors', async () => {
    await expect(search('')).rejects.toThrow(SearchQueryError);
    await expect(search('医保', { after: 'garbage' })).rejects.toThrow('无效的游标 / Invalid cursor');
    await expect(search('医保', { first: 1000 })).rejects.toThrow(/first must be an integer from 0 to 100/);
  });

  it('back-fills search terms with the reindex command', async () => {
    await models.Resource.collection.updateMany({}, { $set: { searchTerms: [] } });
    expect((await search('低保')).totalCount).toBe(0);
    const stats = await reindexSearchTerms(models.Resource, { batchSize: 3 });
    expect(stats.scanned).toBe(10);
    expect(stats.updated).toBe(10);
    expect(idsOf(await search('低保'))).toEqual([String(ids.dibao)]);
    expect((await reindexSearchTerms(models.Resource)).updated).toBe(0);
  });

  it('brings terms of an older format up to date once, and records the format', async () => {
    await models.Resource.collection.updateMany({}, { $set: { searchTerms: ['stale'] } });
    await models.HubMeta.deleteMany({});
    const first = await ensureSearchTermsCurrent(models);
    expect(first).toEqual({ from: null, stats: { scanned: 10, updated: 10 } });
    expect(idsOf(await search('低保'))).toEqual([String(ids.dibao)]);
    expect((await models.HubMeta.findById('searchTerms').lean())?.version).toBe(SEARCH_TERMS_VERSION);
    // Current: nothing is read again. An older recorded version reindexes (writing nothing new here).
    expect(await ensureSearchTermsCurrent(models)).toEqual({ from: SEARCH_TERMS_VERSION, stats: null });
    await models.HubMeta.updateOne({ _id: 'searchTerms' }, { $set: { version: SEARCH_TERMS_VERSION - 1 } });
    expect(await ensureSearchTermsCurrent(models)).toEqual({ from: SEARCH_TERMS_VERSION - 1, stats: { scanned: 10, updated: 0 } });
  });
});
