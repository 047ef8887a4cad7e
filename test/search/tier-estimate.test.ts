import { Types, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStore, createModels, ensureIndexes, type Models } from '../../src/db/index.js';
import { computeSearchTerms } from '../../src/search/index.js';
import { parseQuery } from '../../src/search/query.js';
import { TermStatistics } from '../../src/search/statistics.js';
import { bundledSynonyms } from '../../src/search/synonyms.js';
import { expectedTierHits, RECENT_DAYS } from '../../src/search/tier.js';
import { uniqueDbName, uriForDb } from '../support/mongo.js';

/**
 * The tier's estimate (tier.ts, expectedTierHits) from the term statistics' sample
 * (statistics.ts): the search skips the tier when it expects less than a page of tier hits above
 * the bound. The sample scales back to the store's counts, within a few resources (here it
 * holds all 115 resources: `$sample` never returns more documents than the collection has).
 */

const asOf = Date.parse('2026-06-01T00:00:00Z');
const DAY = 86_400_000;
const dictionary = bundledSynonyms();

let connection: Connection;
let models: Models;
let statistics: TermStatistics;

function resource(fields: { title: string; summary?: string; body?: string; tags?: string[]; daysAgo: number; kind?: string }): Record<string, unknown> {
  const date = new Date(asOf - fields.daysAgo * DAY);
  const doc: Record<string, unknown> = {
    _id: new Types.ObjectId(),
    kind: fields.kind ?? 'SERVICE',
    title: fields.title,
    summary: fields.summary ?? '',
    body: fields.body ?? '',
    tags: fields.tags ?? [],
    department: 'civil',
    categories: [],
    orgUnits: [],
    orgPaths: [],
    orgLevels: [1],
    audience: [],
    confidentiality: 'PUBLIC',
    status: 'PUBLISHED',
    provenance: [],
    version: 1,
    createdAt: date,
    updatedAt: date,
  };
  if (doc.kind === 'EVENT') doc.startsAt = new Date(asOf + 10 * DAY);
  return { ...doc, searchTerms: computeSearchTerms(doc as never) };
}

const times = (count: number, make: (i: number) => Record<string, unknown>) => Array.from({ length: count }, (_, i) => make(i));

beforeAll(async () => {
  connection = await connectStore(uriForDb(uniqueDbName('search_tier_estimate')));
  models = createModels(connection);
  await ensureIndexes(models);
  await models.Resource.collection.insertMany([
    // Title matches, old: the paired part holds them.
    ...times(30, () => resource({ title: '医保报销指南', body: '<p>说明</p>', daysAgo: 900 })),
    // Body matches only, old and recent: nothing of theirs beats the bound.
    ...times(30, () => resource({ title: '通知', body: '<p>特困人员救助供养</p>', daysAgo: 700 })),
    ...times(10, () => resource({ title: '公告', body: '<p>特困人员</p>', daysAgo: 3 })),
    // Summary matches, 8 of them future events (in the recent window), 32 old.
    ...times(8, () => resource({ title: '讲座', summary: '办理地点：社区服务中心', daysAgo: 400, kind: 'EVENT' })),
    ...times(32, () => resource({ title: '服务', summary: '办理地点：社区服务中心', daysAgo: 400 })),
    // Scattered pairs: 社会 会保 保险 all in the title, 社会保险 nowhere in it.
    ...times(5, () => resource({ title: '人力资源和社会保障局失业保险通知', body: '<p>社会保险</p>', daysAgo: 800 })),
  ]);
  statistics = new TermStatistics(models.Resource, 2_000);
  await statistics.ready();
});

afterAll(async () => {
  await connection?.close();
});

const estimate = (query: string) => expectedTierHits(parseQuery(query, dictionary), statistics.sample(parseQuery(query, dictionary)), asOf);

/** Within 5 resources: about five standard deviations of 2,000 draws. */
const near = (actual: number, expected: number) => expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThan(5);

describe('tier estimate from the sampled statistics', () => {
  it('samples the resources holding every piece, with their texts and dates', () => {
    const sample = statistics.sample(parseQuery('特困', dictionary));
    near(sample.matches.length * sample.scale, 40);
    expect(new Set(sample.matches.map((m) => (asOf - m.dated!) / DAY))).toEqual(new Set([700, 3]));
    expect(new Set(statistics.sample(parseQuery('医保报销', dictionary)).matches.map((m) => m.texts.title))).toEqual(new Set(['医保报销指南']));
    const both = statistics.sample(parseQuery('特困 通知', dictionary));
    near(both.matches.length * both.scale, 30);
    expect(statistics.sample(parseQuery('特困 讲座', dictionary)).matches).toHaveLength(0);
    // 8 future events and 10 recent notices of 115 are dated in the window.
    near(sample.datedSince(asOf - RECENT_DAYS * DAY) * 115, 18);
  });

  it('counts title matches (or a title equal to a term), and summary matches dated in the window at their share', () => {
    near(estimate('医保报销'), 30);
    near(estimate('医保'), 30);
    near(estimate('特困 公告'), 10);
    // 40 summary matches × 18/115 dated in the window.
    near(estimate('办理地点'), (40 * 18) / 115);
  });

  it('expects nothing of body matches, however recent, nor of pairs scattered over a title', () => {
    expect(estimate('特困')).toBe(0);
    expect(estimate('特困人员')).toBe(0);
    expect(estimate('社会保险')).toBe(0);
  });
});
