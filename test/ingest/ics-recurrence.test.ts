import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Types } from 'mongoose';
import { startLocalServer, type LocalServer } from '../../connectors/testing/index.js';
import { runFeed } from '../../src/ingest/index.js';
import { openHarness, resourcesOf, type Harness } from './harness.js';

/** Expanded iCalendar occurrences through the sync engine: one record each, re-syncs dedupe. */

const calendar = readFileSync(new URL('../../connectors/ics/fixtures/library-recurring.ics', import.meta.url), 'utf8')
  // The hourly rule is the connector test's cap case; it is left out here to keep the counts readable.
  .replace(/BEGIN:VEVENT\r\nUID:hourly-tour[\s\S]*?END:VEVENT\r\n/u, '');

let harness: Harness;
let server: LocalServer;
let body = calendar;

beforeAll(async () => {
  harness = await openHarness('ingest_ics_recurrence');
  server = await startLocalServer((_request, response) => {
    response.setHeader('content-type', 'text/calendar; charset=utf-8');
    response.end(body);
  });
});

afterAll(async () => {
  await server?.close();
  await harness?.close();
});

const mapping = {
  kind: 'EVENT',
  constants: { department: 'health' },
  fields: [
    { target: 'title', source: 'summary' },
    { target: 'startsAt', source: 'start', transforms: [{ op: 'date' }] },
    { target: 'endsAt', source: 'end', transforms: [{ op: 'date' }] },
    { target: 'allDay', source: 'allDay' },
    { target: 'venue', source: 'location' },
  ],
};

async function run(feedId: Types.ObjectId) {
  harness.resetCounters();
  const outcome = await runFeed(harness.runtime, feedId, { trigger: 'MANUAL' });
  if (!outcome.started) throw new Error(`run did not start: ${outcome.reason}`);
  return outcome.run;
}

describe('recurring calendar events through the sync engine', () => {
  it('stores one event per occurrence, makes no writes on an unchanged re-sync, and withdraws occurrences the window has left', async () => {
    const feed = await harness.runtime.models.Feed.create({
      name: '图书馆活动日历',
      department: 'health',
      connector: 'ics',
      config: { url: `${server.url}/library.ics`, recurrence: { from: '2027-01-01', windowDays: 62 } },
      mapping,
      targetKind: 'EVENT',
      reviewPolicy: 'AUTO_PUBLISH',
      orgScope: ['330100'],
      withdrawalGuard: 1,
    });
    const first = await run(feed._id);
    expect(first.status).toBe('SUCCEEDED');
    expect(first.stats).toMatchObject({ fetched: 15, created: 15, updated: 0, quarantined: 0 });
    const Resource = resourcesOf(harness.connection);
    const moved = await Resource.findOne({ 'provenance.sourceId': 'story-hour@lib.example.gov.cn#20270123T020000Z' }).lean();
    expect(moved).toMatchObject({ title: '少儿故事会（改期至周日下午）', venue: '报告厅', startsAt: new Date('2027-01-24T07:00:00.000Z') });

    expect((await run(feed._id)).stats).toMatchObject({ fetched: 15, created: 0, updated: 0, unchanged: 15 });
    expect(harness.resourceWrites()).toEqual([]);

    // The override changes again: exactly that occurrence is updated.
    body = calendar.replace('少儿故事会（改期至周日下午）', '少儿故事会（改期至周日下午，名额已满）');
    expect((await run(feed._id)).stats).toMatchObject({ created: 0, updated: 1, unchanged: 14 });
    expect(harness.resourceWrites()).toEqual([{ command: 'update', ops: 1 }]);

    // The window moves on: occurrences it no longer covers are withdrawn, the rest are unchanged.
    await harness.runtime.models.Feed.updateOne({ _id: feed._id }, { $set: { 'config.recurrence': { from: '2027-02-01', windowDays: 7 } } });
    const later = await run(feed._id);
    expect(later.stats).toMatchObject({ fetched: 3, created: 0, unchanged: 3, withdrawn: 12 });
    expect(await Resource.countDocuments({ 'provenance.feedId': feed._id, status: 'PUBLISHED' })).toBe(3);
  });
});
