import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../connectors/testing/index.js';
import { runFeed } from '../../src/ingest/index.js';
import { openHarness, resourcesOf, type Harness } from './harness.js';

/** Incremental mode on the real rest connector: checkpoints per page, resume after a failure, cursor high-water mark. */

interface Item {
  id: string;
  title: string;
  updatedAt: string;
}

let harness: Harness;
let server: LocalServer;
let items: Item[] = [];
let failPage: number | undefined;
const pagesServed: number[] = [];

beforeAll(async () => {
  harness = await openHarness('ingest_incremental');
  server = await startLocalServer((_request, response, url) => {
    const page = Number(url.searchParams.get('page') ?? '1');
    pagesServed.push(page);
    if (page === failPage) {
      response.statusCode = 404;
      response.end('gone');
      return;
    }
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ total: items.length, data: items.slice((page - 1) * 2, page * 2) }));
  });
});

afterAll(async () => {
  await server?.close();
  await harness?.close();
});

function item(n: number, day: number, title = `党员志愿服务活动${n}`): Item {
  return { id: `E${n}`, title, updatedAt: `2024-05-${String(day).padStart(2, '0')}T08:00:00+08:00` };
}

describe('incremental sync', () => {
  it('checkpoints each page, resumes after a failure, and skips records behind the cursor', async () => {
    items = [1, 2, 3, 4, 5, 6].map((n) => item(n, n));
    const feed = await harness.runtime.models.Feed.create({
      name: '文旅活动（增量）',
      department: 'health',
      connector: 'rest',
      targetKind: 'EVENT',
      reviewPolicy: 'AUTO_PUBLISH',
      syncMode: 'INCREMENTAL',
      config: { url: `${server.url}/events`, idPath: 'id', cursorPath: 'updatedAt', recordsPath: 'data', pagination: { type: 'page', pageSize: 2, totalPath: 'total' } },
      mapping: {
        kind: 'EVENT',
        constants: { department: 'health', orgUnitCodes: ['330102'] },
        fields: [
          { target: 'title', source: 'title' },
          { target: 'startsAt', source: 'updatedAt', transforms: [{ op: 'date' }] },
        ],
      },
    });

    failPage = 3;
    const failed = await runFeed(harness.runtime, feed._id, { trigger: 'MANUAL' });
    if (!failed.started) throw new Error('not started');
    expect(failed.run.status).toBe('FAILED');
    expect(failed.run.stats).toMatchObject({ fetched: 4, created: 4 });
    const checkpointed = await harness.runtime.models.Feed.findById(feed._id).lean();
    expect(checkpointed?.state).toMatchObject({ reader: { resume: { page: 3 } }, cursor: items[3]!.updatedAt });

    failPage = undefined;
    pagesServed.length = 0;
    const resumed = await runFeed(harness.runtime, feed._id, { trigger: 'MANUAL' });
    if (!resumed.started) throw new Error('not started');
    expect(pagesServed[0]).toBe(3);
    expect(resumed.run.status).toBe('SUCCEEDED');
    expect(resumed.run.stats).toMatchObject({ fetched: 2, created: 2 });
    expect(await resourcesOf(harness.connection).countDocuments({ 'provenance.feedId': feed._id })).toBe(6);

    // Next run: one record edited (newer cursor), one added; older ones are skipped unread by the writer.
    items[1] = item(2, 20, '党员志愿服务活动2（改期）');
    items.push(item(7, 21));
    const next = await runFeed(harness.runtime, feed._id, { trigger: 'MANUAL' });
    if (!next.started) throw new Error('not started');
    expect(next.run.stats).toMatchObject({ fetched: 7, created: 1, updated: 1, withdrawn: 0 });
    expect(next.run.stats.unchanged).toBe(5);
    const state = (await harness.runtime.models.Feed.findById(feed._id).lean())?.state;
    expect(state?.cursor).toBe(items[6]!.updatedAt);
  });
});
