import { Types, type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStore, createModels, ensureIndexes, type Models } from '../../src/db/index.js';
import { anonymousViewer, type Viewer } from '../../src/domain/visibility/index.js';
import type { ResourceFilterInput } from '../../src/domain/catalog/index.js';
import { computeSearchTerms, SearchService, type SearchPage } from '../../src/search/index.js';
import { createPrng } from '../../seeds/prng.js';
import { uniqueDbName, uriForDb } from '../support/mongo.js';

/**
 * The tier (src/search/tier.ts) against ranking every candidate: over a randomized corpus built
 * to sit on the bound — expired and repealed policies with title matches, document numbers
 * (exact, with leading zeros, inside titles, summaries and tags), synonyms, pinyin, one-character
 * pieces, multi-piece and multi-term queries, titles equal to a query, dates crowding the recent
 * window and the future, copies that tie — every page of every page size, for viewers with
 * grants and with filters, must be the same: hits (ids, scores, cursors), both flags, the count
 * and the facets. The command log shows that both the tier and the fallback are exercised.
 */

const asOf = Date.parse('2026-06-01T00:00:00Z');
const DAY = 86_400_000;
const words = ['医保', '报销', '社区', '养老', '医疗保险', '服务', '指南', '法律援助', '电话', '保'];
const docNumbers = ['国办发〔2024〕12号', '国办发〔2024〕012号', '湖政办发〔2023〕5号', '湖政办发〔2023〕50号'];
const unit = { id: new Types.ObjectId(), ancestors: [new Types.ObjectId()] };

const prng = createPrng(20_261_130);
const random = (n: number): number => prng.int(0, n - 1);
const pick = <T>(list: readonly T[]): T => prng.pick(list);
const text = (count: number): string => Array.from({ length: count }, () => pick(words)).join('');

let connection: Connection;
let tiered: SearchService;
let full: SearchService;
const aggregates: string[] = [];

function date(): Date {
  // Crowd the recent window (30 days) and its edge, the future, and the distant past.
  const days = pick([-40, -5, -1, 0, 1, 2, 29, 30, 31, 60, 400, 3000]) + random(3);
  return new Date(asOf - days * DAY);
}

function resource(): Record<string, unknown> {
  const kind = pick(['POLICY', 'POLICY', 'SERVICE', 'EVENT']);
  const updatedAt = date();
  const title = random(8) === 0 ? pick(['医保', '医保报销', '社区 服务', '保', '国办发〔2024〕12号', '社区医保报销']) : text(random(3)) + (random(6) === 0 ? pick(docNumbers) : '');
  const doc: Record<string, unknown> = {
    _id: new Types.ObjectId(),
    kind,
    title: title || '通知',
    summary: text(random(4)) + (random(8) === 0 ? pick(docNumbers) : ''),
    body: `<p>${text(random(5))}</p>`,
    tags: random(3) === 0 ? [text(1), ...(random(4) === 0 ? [pick(docNumbers)] : [])] : [],
    department: pick(['health', 'civil', 'justice']),
    categories: random(2) === 0 ? [pick(['a', 'b'])] : [],
    orgUnits: random(3) === 0 ? [unit.id] : [],
    orgPaths: random(3) === 0 ? [unit.ancestors[0], unit.id] : [],
    orgLevels: [1 + random(4)],
    audience: [],
    confidentiality: random(5) === 0 ? 'INTERNAL' : 'PUBLIC',
    status: random(8) === 0 ? 'PENDING' : 'PUBLISHED',
    provenance: [],
    version: 1,
    createdAt: updatedAt,
    updatedAt,
  };
  if (kind === 'POLICY') {
    Object.assign(doc, { validity: pick(['VALID', 'VALID', 'EXPIRED', 'REPEALED']), docNumber: random(2) === 0 ? pick(docNumbers) : undefined });
    if (random(4) !== 0) doc.publishedAt = date();
  }
  if (kind === 'EVENT') doc.startsAt = date();
  return doc;
}

beforeAll(async () => {
  connection = await connectStore(uriForDb(uniqueDbName('search_tier')), { monitorCommands: true });
  connection.getClient().on('commandStarted', (event) => {
    if (event.commandName === 'aggregate') aggregates.push(JSON.stringify(event.command.pipeline));
  });
  const models: Models = createModels(connection);
  await ensureIndexes(models);
  const docs = Array.from({ length: 400 }, resource);
  // On the bound of '医保报销 社区': a title holding the other term's phrase, 社区 only in the summary
  // and a date just outside the recent window (31.8 points) sits between the tier's entries.
  const placed = (title: string, summary: string, daysAgo: number, count: number) =>
    Array.from({ length: count }, () => ({ ...resource(), kind: 'SERVICE', title, summary, body: '', tags: [], docNumber: undefined, publishedAt: undefined, startsAt: undefined, status: 'PUBLISHED', confidentiality: 'PUBLIC', updatedAt: new Date(asOf - daysAgo * DAY) }));
  docs.push(...placed('社区医保报销', '', 1, 4), ...placed('医保报销指南', '社区', 40, 3), ...placed('医保社区报销', '', 3000, 6));
  // Copies tie on everything but the id.
  for (let i = 0; i < 50; i++) docs.push({ ...docs[random(docs.length)]!, _id: new Types.ObjectId() });
  await models.Resource.collection.insertMany(docs.map((doc) => ({ ...doc, searchTerms: computeSearchTerms(doc as never) })));
  tiered = new SearchService(models, undefined, { tier: 'always' });
  full = new SearchService(models, undefined, { tier: 'never' });
});

afterAll(async () => {
  await connection?.close();
});

const queries = ['医保', '医疗保险', '医保报销', '社区 服务', '医保报销 社区', '报销 指南', 'yibao', '国办发〔2024〕12号', '医保 国办发[2024]12号', '保', '法律援助 电话', '养老'];
const departmentAdmin: Viewer = {
  kind: 'user',
  userId: new Types.ObjectId(),
  username: 'dept',
  grants: [{ role: 'DEPARTMENT_ADMIN', orgUnit: unit, department: 'health', stages: [] }],
};
const platformAdmin: Viewer = {
  kind: 'user',
  userId: new Types.ObjectId(),
  username: 'admin',
  grants: [{ role: 'PLATFORM_ADMIN', orgUnit: null, department: null, stages: [] }],
};
const readers: [Viewer, ResourceFilterInput | undefined][] = [
  [anonymousViewer, undefined],
  [anonymousViewer, { kinds: ['POLICY'] }],
  [departmentAdmin, undefined],
  [platformAdmin, { departments: ['health', 'civil'] }],
];

function signature(page: SearchPage) {
  return {
    hits: page.hits.map((hit) => [String(hit.node._id), hit.score, hit.cursor]),
    next: page.hasNextPage,
    previous: page.hasPreviousPage,
    total: page.totalCount,
    facets: page.facets,
  };
}

describe('search tier', () => {
  it('gives every page exactly what ranking every candidate gives', async () => {
    let held = 0;
    let fellBack = 0;
    let pages = 0;
    for (const query of queries) {
      for (const [viewer, filter] of readers) {
        {
          for (const first of [1, 4, 20]) {
            let after: string | undefined;
            for (let n = 0; n < 4; n++) {
              const args = { query, viewer, filter, first, after, now: asOf };
              const expected = signature(await full.search(args));
              const before = aggregates.length;
              const actual = signature(await tiered.search(args));
              const sent = aggregates.slice(before);
              // The tier's rankings name the `t*` term or a date range; the full ranking, sent when it did not hold, neither.
              const rankings = sent.filter((pipeline) => pipeline.includes('"score"'));
              const ofTier = (pipeline: string) => pipeline.includes('"t*"') || /"(publishedAt|startsAt|updatedAt)":\{"\$gte"/.test(pipeline);
              const tierRanked = rankings.some(ofTier);
              const fullRanked = rankings.some((pipeline) => !ofTier(pipeline));
              if (tierRanked && !fullRanked) held++;
              else if (tierRanked) fellBack++;
              expect(actual, `${query} / ${viewer.kind} / ${JSON.stringify(filter)} / first ${first} / page ${n + 1}`).toEqual(expected);
              pages++;
              if (!expected.next || expected.hits.length === 0) break;
              after = expected.hits[expected.hits.length - 1]![2] as string;
            }
          }
        }
      }
    }
    expect(pages).toBeGreaterThan(300);
    // Both paths ran, the tier on a good share of the pages.
    expect(held).toBeGreaterThan(pages / 4);
    expect(fellBack).toBeGreaterThan(0);
  }, 300_000);

  it('answers a cursor whose hit is gone, before and after it', async () => {
    const first = await full.search({ query: '医保', viewer: anonymousViewer, first: 5, now: asOf });
    const cursor = first.hits[4]!.cursor;
    await connection.collection('resources').deleteOne({ _id: first.hits[4]!.node._id });
    const args = { query: '医保', viewer: anonymousViewer, first: 5, after: cursor, now: asOf };
    expect(signature(await tiered.search(args))).toEqual(signature(await full.search(args)));
  });
});
