import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../connectors/testing/index.js';
import { runFeed } from '../../src/ingest/index.js';
import { createCsvFeed, openHarness, resourcesOf, sampleRows, servicesCsv, type Harness, type ServiceRow } from './harness.js';

/**
 * A run plans each batch while the previous one is being written. Records that come back in
 * a later batch must still see the earlier batch's write, as if batches ran one by one.
 */

let harness: Harness;
let server: LocalServer;
let body = '';

beforeAll(async () => {
  harness = await openHarness('ingest_batches', { batchSize: 4 });
  server = await startLocalServer((_request, response) => {
    response.setHeader('content-type', 'text/csv; charset=utf-8');
    response.end(body);
  });
});

afterAll(async () => {
  await server?.close();
  await harness?.close();
});

async function run(feedId: Awaited<ReturnType<typeof createCsvFeed>>) {
  const outcome = await runFeed(harness.runtime, feedId, { trigger: 'MANUAL' });
  if (!outcome.started) throw new Error(`run did not start: ${outcome.reason}`);
  return outcome.run;
}

describe('batches written while the next is planned', () => {
  it('stores a record repeated in the next batch once, with its later content', async () => {
    const rows: ServiceRow[] = sampleRows(14, '30');
    // Batches of 4: rows 2 and 5 are in adjacent batches, rows 9 and 13 two batches apart.
    rows[5] = { ...rows[2]!, title: '预防接种服务（更正）' };
    rows[13] = { ...rows[9]!, title: '预防接种服务（再次更正）' };
    body = servicesCsv(rows);
    const feedId = await createCsvFeed(harness.runtime, `${server.url}/repeat.csv`);
    const first = await run(feedId);
    expect(first.status).toBe('SUCCEEDED');
    expect(first.stats).toMatchObject({ fetched: 14, created: 12, updated: 2, unchanged: 0 });
    const Resource = resourcesOf(harness.connection);
    expect(await Resource.countDocuments({ 'provenance.feedId': feedId })).toBe(12);
    const repeated = await Resource.find({ 'provenance.feedId': feedId, 'provenance.sourceId': { $in: [rows[2]!.code, rows[9]!.code] } })
      .sort({ title: 1 })
      .lean();
    expect(repeated.map((doc) => [doc.title, doc.version])).toEqual([
      ['预防接种服务（再次更正）', 2],
      ['预防接种服务（更正）', 2],
    ]);

    // Each occurrence differs from what the one before it stored: both are written again.
    const second = await run(feedId);
    expect(second.stats).toMatchObject({ fetched: 14, created: 0, updated: 4, unchanged: 10 });
    expect(await Resource.countDocuments({ 'provenance.feedId': feedId })).toBe(12);
  });

  it('closes a quarantine entry when the record is stored in a later batch, and keeps one filed after it was stored', async () => {
    const rows: ServiceRow[] = sampleRows(10, '31');
    // Row 1 is refused (unknown org unit), then comes back valid in the next batch;
    // row 6 is stored, then comes back refused in the next batch.
    rows[1] = { ...rows[1]!, org: '999999' };
    rows[4] = { ...rows[1]!, org: '330102' };
    rows[8] = { ...rows[6]!, org: '999999' };
    body = servicesCsv(rows);
    const feedId = await createCsvFeed(harness.runtime, `${server.url}/quarantine.csv`);
    const first = await run(feedId);
    expect(first.status).toBe('PARTIAL');
    const open = await harness.runtime.models.Quarantine.find({ feed: feedId, status: 'OPEN' }).lean();
    expect(open.map((entry) => entry.sourceId)).toEqual([rows[6]!.code]);
  });
});
