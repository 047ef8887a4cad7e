import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../connectors/testing/index.js';
import { connectStore } from '../../src/db/connection.js';
import { createIngestRuntime, createScheduler, runFeed, type IngestRuntime } from '../../src/ingest/index.js';
import { createCsvFeed, openHarness, resourcesOf, sampleRows, servicesCsv, silentLog, type Harness } from './harness.js';

let harness: Harness;
let server: LocalServer;
let body = servicesCsv(sampleRows(10));
/** Milliseconds between streamed rows (0: send at once). */
let rowDelayMs = 0;

beforeAll(async () => {
  harness = await openHarness('ingest_leases', { leaseTtlMs: 1_000 });
  server = await startLocalServer(async (_request, response) => {
    response.setHeader('content-type', 'text/csv; charset=utf-8');
    if (rowDelayMs === 0) {
      response.end(body);
      return;
    }
    for (const line of body.split(/(?<=\n)/)) {
      if (response.destroyed) return;
      response.write(line);
      await delay(rowDelayMs);
    }
    response.end();
  });
});

afterAll(async () => {
  await server?.close();
  await harness?.close();
});

async function secondInstance(): Promise<{ runtime: IngestRuntime; close(): Promise<void> }> {
  const connection = await connectStore(harness.uri);
  const runtime = createIngestRuntime(connection, {
    log: silentLog,
    fetch: { allowlist: ['127.0.0.1'], retries: 0 },
    leaseTtlMs: 1_000,
  });
  return { runtime, close: () => connection.close() };
}

describe('leases', () => {
  it('lets only one of two instances run a feed at a time, and each scheduled slot once', async () => {
    rowDelayMs = 0;
    body = servicesCsv(sampleRows(30, '10'));
    const feedId = await createCsvFeed(harness.runtime, `${server.url}/race.csv`);
    const other = await secondInstance();
    try {
      const racing = await Promise.all([
        runFeed(harness.runtime, feedId, { trigger: 'SCHEDULE', slot: 'race@1' }),
        runFeed(other.runtime, feedId, { trigger: 'SCHEDULE', slot: 'race@1' }),
      ]);
      expect(racing.filter((outcome) => outcome.started)).toHaveLength(1);
      // The slot stays taken after the winner finished: a late instance does not run it again.
      const late = await runFeed(other.runtime, feedId, { trigger: 'SCHEDULE', slot: 'race@1' });
      expect(late).toEqual({ started: false, reason: 'BUSY' });
      expect(await harness.runtime.models.SyncRun.countDocuments({ feed: feedId })).toBe(1);
      expect(await resourcesOf(harness.connection).countDocuments({ 'provenance.feedId': feedId })).toBe(30);
    } finally {
      await other.close();
    }
  });

  it('runs a cron schedule once per firing with two schedulers on one store', async () => {
    rowDelayMs = 0;
    body = servicesCsv(sampleRows(5, '11'));
    const feedId = await createCsvFeed(harness.runtime, `${server.url}/cron.csv`);
    await harness.runtime.models.Feed.updateOne({ _id: feedId }, { $set: { 'schedule.cron': '* * * * * *' } });
    const other = await secondInstance();
    const schedulers = [createScheduler(harness.runtime), createScheduler(other.runtime)];
    try {
      const started = Date.now();
      await Promise.all(schedulers.map((scheduler) => scheduler.start()));
      await delay(3_200);
      await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
      const seconds = Math.ceil((Date.now() - started) / 1000);
      const runs = await harness.runtime.models.SyncRun.find({ feed: feedId }).lean();
      expect(runs.length).toBeGreaterThanOrEqual(2);
      expect(runs.length).toBeLessThanOrEqual(seconds + 1);
      expect(runs.every((run) => run.trigger === 'SCHEDULE')).toBe(true);
      expect(await resourcesOf(harness.connection).countDocuments({ 'provenance.feedId': feedId })).toBe(5);
    } finally {
      await other.close();
    }
  });

  it('converges with no duplicates after a SIGKILL mid-run, and marks the dead run failed', async () => {
    const rows = sampleRows(400, '12');
    body = servicesCsv(rows);
    rowDelayMs = 4;
    const feedId = await createCsvFeed(harness.runtime, `${server.url}/crash.csv`);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./sync-child.ts', import.meta.url)), harness.uri, feedId.toHexString()],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let childOutput = '';
    child.stdout.on('data', (chunk: Buffer) => (childOutput += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (childOutput += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    const Resource = resourcesOf(harness.connection);
    const deadline = Date.now() + 30_000;
    while ((await Resource.countDocuments({ 'provenance.feedId': feedId })) < 50) {
      if (Date.now() > deadline) {
        const runs = await harness.runtime.models.SyncRun.find({ feed: feedId }).lean();
        throw new Error(`child never wrote: ${childOutput} runs: ${JSON.stringify(runs)}`);
      }
      await delay(50);
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const partial = await Resource.countDocuments({ 'provenance.feedId': feedId });
    expect(partial).toBeLessThan(400);
    const dead = await harness.runtime.models.SyncRun.findOne({ feed: feedId }).lean();
    expect(dead?.status).toBe('RUNNING');

    rowDelayMs = 0;
    // The dead instance's lease still blocks until it expires.
    expect(await runFeed(harness.runtime, feedId, { trigger: 'MANUAL' })).toEqual({ started: false, reason: 'BUSY' });
    const lease = await harness.runtime.models.Lease.findById(`feed:${feedId.toHexString()}`).lean();
    await delay(Math.max(0, lease!.expiresAt.getTime() - Date.now()) + 200);
    const rerun = await runFeed(harness.runtime, feedId, { trigger: 'MANUAL' });
    if (!rerun.started) throw new Error('rerun did not start');
    expect(rerun.run.status).toBe('SUCCEEDED');
    expect(rerun.run.stats).toMatchObject({ fetched: 400, created: 400 - partial, unchanged: partial });
    expect(await Resource.countDocuments({ 'provenance.feedId': feedId })).toBe(400);
    const ids = await Resource.distinct('provenance.sourceId', { 'provenance.feedId': feedId });
    expect(ids).toHaveLength(400);
    const failed = await harness.runtime.models.SyncRun.findById(dead!._id).lean();
    expect(failed).toMatchObject({ status: 'FAILED', error: { class: 'INTERNAL', origin: 'lease' } });
  });
});
