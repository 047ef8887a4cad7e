import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../connectors/testing/index.js';
import { confirmWithdrawal, runFeed } from '../../src/ingest/index.js';
import { createCsvFeed, openHarness, resourcesOf, sampleRows, servicesCsv, type Harness, type ServiceRow } from './harness.js';

/** The sync invariants, on the real csv connector reading from a real local HTTP server. */

let harness: Harness;
let server: LocalServer;
let body = '';
/** When set, the server sends this many bytes of the body and then drops the connection. */
let cutAfterBytes: number | undefined;

beforeAll(async () => {
  harness = await openHarness('ingest_engine');
  server = await startLocalServer((_request, response) => {
    response.setHeader('content-type', 'text/csv; charset=utf-8');
    const bytes = Buffer.from(body);
    if (cutAfterBytes === undefined) {
      response.end(bytes);
      return;
    }
    response.setHeader('content-length', String(bytes.length));
    response.write(bytes.subarray(0, cutAfterBytes));
    setTimeout(() => response.destroy(), 20);
  });
});

afterAll(async () => {
  await server?.close();
  await harness?.close();
});

beforeEach(() => {
  cutAfterBytes = undefined;
  harness.resetCounters();
});

function serve(rows: ServiceRow[]): void {
  body = servicesCsv(rows);
}

async function run(feedId: Awaited<ReturnType<typeof createCsvFeed>>) {
  harness.resetCounters();
  const outcome = await runFeed(harness.runtime, feedId, { trigger: 'MANUAL' });
  if (!outcome.started) throw new Error(`run did not start: ${outcome.reason}`);
  return outcome.run;
}

describe('sync engine invariants', () => {
  it('creates on the first run, then makes zero writes over unchanged data', async () => {
    serve(sampleRows(20));
    const feedId = await createCsvFeed(harness.runtime, `${server.url}/a.csv`);
    const first = await run(feedId);
    expect(first.status).toBe('SUCCEEDED');
    expect(first.stats).toMatchObject({ fetched: 20, created: 20, updated: 0, unchanged: 0, withdrawn: 0, quarantined: 0 });
    const Resource = resourcesOf(harness.connection);
    const stored = await Resource.find({ 'provenance.feedId': feedId }).lean();
    expect(stored).toHaveLength(20);
    expect(stored[0]).toMatchObject({ kind: 'SERVICE', status: 'PUBLISHED', department: 'health', version: 1 });
    expect(stored[0]!.provenance[0]).toMatchObject({ feedId, runId: first._id });
    expect(stored[0]!.searchTerms.length).toBeGreaterThan(0);
    expect(stored[0]!.orgUnits).toHaveLength(1);
    expect(stored[0]!.orgPaths).toHaveLength(2);

    const second = await run(feedId);
    expect(second.stats).toMatchObject({ fetched: 20, created: 0, updated: 0, unchanged: 20, withdrawn: 0 });
    expect(harness.resourceWrites()).toEqual([]);
  });

  it('turns one changed record into exactly one update', async () => {
    const rows = sampleRows(10, '01');
    serve(rows);
    const feedId = await createCsvFeed(harness.runtime, `${server.url}/b.csv`);
    await run(feedId);
    rows[3] = { ...rows[3]!, title: '出生医学证明补办（已更新）' };
    serve(rows);
    const second = await run(feedId);
    expect(second.stats).toMatchObject({ created: 0, updated: 1, unchanged: 9 });
    expect(harness.resourceWrites()).toEqual([{ command: 'update', ops: 1 }]);
    const changed = await resourcesOf(harness.connection).findOne({ 'provenance.sourceId': rows[3]!.code }).lean();
    expect(changed).toMatchObject({ title: '出生医学证明补办（已更新）', version: 2 });
  });

  it('withdraws (softly) a record removed at the source on a full refresh, and restores it when it returns', async () => {
    const rows = sampleRows(10, '02');
    serve(rows);
    const feedId = await createCsvFeed(harness.runtime, `${server.url}/c.csv`);
    await run(feedId);
    serve(rows.filter((_, i) => i !== 0));
    const second = await run(feedId);
    expect(second.status).toBe('SUCCEEDED');
    expect(second.stats).toMatchObject({ withdrawn: 1, unchanged: 9 });
    const Resource = resourcesOf(harness.connection);
    expect(await Resource.countDocuments({ 'provenance.feedId': feedId })).toBe(10);
    expect(await Resource.findOne({ 'provenance.sourceId': rows[0]!.code }).lean()).toMatchObject({ status: 'WITHDRAWN' });
    serve(rows);
    const third = await run(feedId);
    expect(third.stats).toMatchObject({ updated: 1, unchanged: 9, withdrawn: 0 });
    expect(await Resource.findOne({ 'provenance.sourceId': rows[0]!.code }).lean()).toMatchObject({ status: 'PUBLISHED' });
  });

  it('withdraws nothing when the fetch fails midway', async () => {
    const rows = sampleRows(200, '03');
    serve(rows);
    const feedId = await createCsvFeed(harness.runtime, `${server.url}/d.csv`);
    await run(feedId);
    serve(rows.slice(0, 150));
    cutAfterBytes = Math.floor(Buffer.byteLength(body) / 3);
    const failed = await run(feedId);
    expect(failed.status).toBe('FAILED');
    expect(failed.error?.class).toBe('SOURCE_UNREACHABLE');
    expect(failed.stats.withdrawn).toBe(0);
    expect(await resourcesOf(harness.connection).countDocuments({ 'provenance.feedId': feedId, status: 'WITHDRAWN' })).toBe(0);
    const feed = await harness.runtime.models.Feed.findById(feedId).lean();
    expect(feed).toMatchObject({ failureStreak: 1, lastRun: { status: 'FAILED' } });
  });

  it('quarantines malformed, classified and misplaced records, stores the rest, and marks the run partial', async () => {
    const rows: ServiceRow[] = [
      ...sampleRows(3, '04'),
      { code: '049001', title: '' },
      { code: '049002', title: '社区矫正报到', days: '三天' },
      { code: '049003', title: '涉密事项', secrecy: '涉密' },
      { code: '049004', title: '未知区划的服务', org: '999999' },
    ];
    serve(rows);
    const feedId = await createCsvFeed(harness.runtime, `${server.url}/e.csv`);
    const result = await run(feedId);
    expect(result.status).toBe('PARTIAL');
    expect(result.stats).toMatchObject({ fetched: 7, created: 3, quarantined: 4 });
    const entries = await harness.runtime.models.Quarantine.find({ feed: feedId }).sort({ sourceId: 1 }).lean();
    expect(entries.map((entry) => [entry.sourceId, entry.code])).toEqual([
      ['049001', 'MAPPING'],
      ['049002', 'MAPPING'],
      ['049003', 'CLASSIFIED'],
      ['049004', 'UNKNOWN_ORG_UNIT'],
    ]);
    expect(entries[0]!.raw).toMatchObject({ 编码: '049001' });
    expect(entries[0]!.reasons.join(' ')).toMatch(/title/);
    expect(entries[2]!.raw).toBeNull();
    expect(entries[2]!.reasons[0]).toMatch(/涉密信息不上网/);
    const Resource = resourcesOf(harness.connection);
    expect(await Resource.countDocuments({ title: '涉密事项' })).toBe(0);
    expect(await Resource.countDocuments({ 'provenance.sourceId': { $in: ['049001', '049002', '049003', '049004'] } })).toBe(0);

    // A rerun refreshes the same entries rather than piling up new ones.
    await run(feedId);
    expect(await harness.runtime.models.Quarantine.countDocuments({ feed: feedId })).toBe(4);
  });

  it('deletes an earlier copy when a record becomes classified', async () => {
    const rows = sampleRows(5, '05');
    serve(rows);
    const feedId = await createCsvFeed(harness.runtime, `${server.url}/f.csv`);
    await run(feedId);
    rows[1] = { ...rows[1]!, secrecy: '机密' };
    serve(rows);
    const second = await run(feedId);
    expect(second.stats.quarantined).toBe(1);
    expect(await resourcesOf(harness.connection).countDocuments({ 'provenance.sourceId': rows[1]!.code })).toBe(0);
  });

  it('holds a run whose withdrawals exceed the drop guard until an admin confirms', async () => {
    const rows = sampleRows(10, '06');
    serve(rows);
    const feedId = await createCsvFeed(harness.runtime, `${server.url}/g.csv`);
    await run(feedId);
    serve(rows.slice(0, 6));
    const held = await run(feedId);
    expect(held.status).toBe('HELD');
    expect(held.held).toMatchObject({ activeBefore: 10, toWithdraw: 4 });
    const Resource = resourcesOf(harness.connection);
    expect(await Resource.countDocuments({ 'provenance.feedId': feedId, status: 'WITHDRAWN' })).toBe(0);

    const confirmed = await confirmWithdrawal(harness.runtime, held._id, 'admin-1');
    expect(confirmed.status).toBe('SUCCEEDED');
    expect(confirmed.stats.withdrawn).toBe(4);
    expect(confirmed.held).toMatchObject({ confirmedBy: 'admin-1' });
    expect(await Resource.countDocuments({ 'provenance.feedId': feedId, status: 'WITHDRAWN' })).toBe(4);
    await expect(confirmWithdrawal(harness.runtime, held._id, 'admin-1')).rejects.toThrow(/no withdrawal awaiting/);
  });

  it('refuses to confirm a held run once a later run has read the source again', async () => {
    const rows = sampleRows(10, '07');
    serve(rows);
    const feedId = await createCsvFeed(harness.runtime, `${server.url}/h.csv`);
    await run(feedId);
    serve([]);
    const held = await run(feedId);
    expect(held.status).toBe('HELD');
    serve(rows);
    const recovered = await run(feedId);
    expect(recovered.stats).toMatchObject({ unchanged: 10, withdrawn: 0 });
    await expect(confirmWithdrawal(harness.runtime, held._id, 'admin-1')).rejects.toThrow(/later run/);
    expect(await resourcesOf(harness.connection).countDocuments({ 'provenance.feedId': feedId, status: 'WITHDRAWN' })).toBe(0);
  });

  it('sends new records of a REQUIRE_REVIEW feed to PENDING', async () => {
    serve(sampleRows(2, '08'));
    const feedId = await createCsvFeed(harness.runtime, `${server.url}/i.csv`, { reviewPolicy: 'REQUIRE_REVIEW' });
    await run(feedId);
    const statuses = await resourcesOf(harness.connection).distinct('status', { 'provenance.feedId': feedId });
    expect(statuses).toEqual(['PENDING']);
  });
});
