import { afterEach, describe, expect, it } from 'vitest';
import { collect, fixture, realSample, startLocalServer, testReadContext, type LocalServer } from '../testing/index.js';
import { icsConfigSchema, icsConnector } from './index.js';

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});
async function serveBody(body: Uint8Array | string): Promise<LocalServer> {
  const server = await startLocalServer((_req, res) => {
    res.setHeader('content-type', 'text/calendar; charset=utf-8');
    res.end(body);
  });
  servers.push(server);
  return server;
}
const eventMapping = {
  kind: 'EVENT',
  constants: { department: 'culture' },
  fields: [
    { target: 'title', source: 'summary' },
    { target: 'summary', source: 'description' },
    { target: 'startsAt', source: 'start', transforms: [{ op: 'date' }] },
    { target: 'endsAt', source: 'end', transforms: [{ op: 'date' }] },
    { target: 'allDay', source: 'allDay' },
    { target: 'venue', source: 'location' },
    { target: 'organizer', source: 'organizer' },
    { target: 'categories', source: 'categories' },
    { target: 'sourceUrl', source: ['url', 'description'], transforms: [{ op: 'regex', pattern: '(https?://\\S+?)(?:\\s|$)' }] },
  ],
};
const config = (input: Record<string, unknown>) => icsConfigSchema.parse({ mapping: eventMapping, ...input });
const iso = (value: unknown) => (value as Date).toISOString();

describe('ics connector', () => {
  it('reads the China public-holiday calendar: LF-only, unfolded long lines, floating times, all-day events', async () => {
    const sample = realSample('ics-china-public-holidays-yangh9.ics');
    if (!sample) return;
    const server = await serveBody(sample);
    const cfg = config({ url: `${server.url}/cal_holiday.ics` });
    const result = await collect(icsConnector.read(cfg, undefined, testReadContext()));
    expect(result.records).toHaveLength(33);
    expect(new Set(result.records.map((record) => record.sourceId)).size).toBe(33);
    const newYear = result.records.find((record) => record.sourceId === '20250101T000001_holiday_1@YangH9');
    expect(newYear?.data).toMatchObject({ start: '2025-01-01', end: '2025-01-02', allDay: true, status: 'CONFIRMED' });
    const workday = result.records.find((record) => record.sourceId === '20250126T000001_compensateday_2@YangH9');
    expect(workday?.data).toMatchObject({ start: '2025-01-26T01:00:00.000Z', end: '2025-01-26T10:00:00.000Z', allDay: false, status: 'TENTATIVE' });
    expect(String(workday?.data.description)).toContain('1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）');
    expect(String(workday?.data.description)).toContain('\n');

    const mapped = icsConnector.map(newYear!, cfg);
    expect(mapped).toMatchObject({ ok: true, record: { kind: 'EVENT', allDay: true, title: '「元旦 假期」 第1天/共1天', sourceUrl: 'https://www.gov.cn/zhengce/content/202411/content_6986382.htm' } });
    expect(mapped.ok && iso((mapped.record as { startsAt: unknown }).startsAt)).toBe('2024-12-31T16:00:00.000Z');
  });

  it('unfolds before unescaping, reads floating times in the configured zone, TZID and UTC times as given, skips cancelled events', async () => {
    const server = await serveBody(fixture(import.meta.url, 'culture-center-folded.ics'));
    const cfg = config({ url: `${server.url}/events.ics` });
    const result = await collect(icsConnector.read(cfg, undefined, testReadContext()));
    expect(result.records.map((record) => record.sourceId)).toEqual(['0001@whg.example.gov.cn', '0002@whg.example.gov.cn', '0003@whg.example.gov.cn']);
    const [concert, course, lecture] = result.records;
    expect(concert?.data).toMatchObject({
      summary: '百姓大舞台, 周末专场',
      description: '第一行\n第二行：免费入场; 请提前预约。这一行很长很长很长很长很长很长很长很长很长很长很长，被折叠到了下一行',
      start: '2024-05-18T11:30:00.000Z',
      categories: ['群众文化', '演出'],
      organizer: '区文化馆',
    });
    expect(course?.data.start).toBe('2024-06-01T01:00:00.000Z');
    expect(lecture?.data.start).toBe('2024-06-02T01:00:00.000Z');
    expect(icsConnector.map(concert!, cfg)).toMatchObject({ ok: true, record: { venue: '区文化馆剧场', sourceUrl: 'https://whg.example.gov.cn/hd/0001', allDay: false } });

    const utc = await collect(icsConnector.read(config({ url: `${server.url}/events.ics`, timezone: 'UTC', skipCancelled: false }), undefined, testReadContext()));
    expect(utc.records[0]?.data.start).toBe('2024-05-18T19:30:00.000Z');
    expect(utc.records).toHaveLength(4);
  });

  it('expands recurring events into occurrences in the window: EXDATE, RECURRENCE-ID overrides, all-day and floating rules, stable ids', async () => {
    const server = await serveBody(fixture(import.meta.url, 'library-recurring.ics'));
    const cfg = config({ url: `${server.url}/recurring.ics`, recurrence: { from: '2027-01-01', windowDays: 62, maxOccurrences: 20 } });
    const logged: Array<Record<string, unknown> | undefined> = [];
    const ctx = { ...testReadContext(), log: (_message: string, fields?: Record<string, unknown>) => logged.push(fields) };
    const result = await collect(icsConnector.read(cfg, undefined, ctx));
    const ids = result.records.map((record) => record.sourceId);
    const story = (start: string) => `story-hour@lib.example.gov.cn#${start}`;
    // Weekly on Saturdays, COUNT=10: Jan 16 excluded (EXDATE), Jan 30 cancelled by its override, Mar 6 outside the window.
    expect(ids.filter((id) => id.startsWith('story-hour'))).toEqual(
      ['20270102T020000Z', '20270109T020000Z', '20270123T020000Z', '20270206T020000Z', '20270213T020000Z', '20270220T020000Z', '20270227T020000Z'].map(story),
    );
    // The moved occurrence keeps the key of its original start and carries the override's own fields.
    const moved = result.records.find((record) => record.sourceId === story('20270123T020000Z'))!;
    expect(moved.data).toMatchObject({
      summary: '少儿故事会（改期至周日下午）',
      location: '报告厅',
      start: '2027-01-24T07:00:00.000Z',
      end: '2027-01-24T08:30:00.000Z',
      recurrenceId: '2027-01-23T02:00:00.000Z',
      uid: 'story-hour@lib.example.gov.cn',
    });
    // All-day monthly rule with an excluded day; floating biweekly times read in Asia/Shanghai.
    expect(ids.filter((id) => id.startsWith('monthly-exhibit'))).toEqual(['monthly-exhibit@lib.example.gov.cn#20270101', 'monthly-exhibit@lib.example.gov.cn#20270301']);
    expect(result.records.find((record) => record.sourceId === 'monthly-exhibit@lib.example.gov.cn#20270301')?.data).toMatchObject({ start: '2027-03-01', end: '2027-03-02', allDay: true });
    const films = result.records.filter((record) => record.sourceId.startsWith('film-night'));
    expect(films.map((record) => record.data.start)).toEqual(['2027-01-05', '2027-01-19', '2027-02-02', '2027-02-16', '2027-03-02'].map((day) => `${day}T11:00:00.000Z`));
    // An hourly rule is capped, and the cap is logged.
    expect(ids.filter((id) => id.startsWith('hourly-tour'))).toHaveLength(20);
    expect(logged).toContainEqual({ uid: 'hourly-tour@lib.example.gov.cn', occurrences: 1479 });
    // A single event keeps its UID as key.
    expect(ids).toContain('lecture-0001@lib.example.gov.cn');
    expect(new Set(ids).size).toBe(ids.length);
    const mapped = icsConnector.map(moved, cfg);
    expect(mapped).toMatchObject({ ok: true, record: { title: '少儿故事会（改期至周日下午）', venue: '报告厅' } });

    // Read again: the same keys (a re-sync dedupes). A later window drops past occurrences and adds new ones.
    expect((await collect(icsConnector.read(cfg, undefined, ctx))).records.map((record) => record.sourceId)).toEqual(ids);
    const later = await collect(icsConnector.read(config({ url: `${server.url}/recurring.ics`, recurrence: { from: '2027-02-01', windowDays: 7, maxOccurrences: 20 } }), undefined, ctx));
    expect(later.records.map((record) => record.sourceId).filter((id) => !id.startsWith('hourly-tour'))).toEqual([
      story('20270206T020000Z'),
      'film-night@lib.example.gov.cn#20270202T110000Z',
      'lecture-0001@lib.example.gov.cn',
    ]);

    // Expansion off: one record per UID with the rule as text; the cancelled override is not a record of its own.
    const plain = await collect(icsConnector.read(config({ url: `${server.url}/recurring.ics`, recurrence: { expand: false, windowDays: 90, maxOccurrences: 1000 } }), undefined, ctx));
    expect(plain.records.map((record) => record.sourceId)).toEqual(
      ['story-hour', 'monthly-exhibit', 'film-night', 'hourly-tour', 'lecture-0001'].map((name) => `${name}@lib.example.gov.cn`),
    );
    expect(String(plain.records[0]?.data.rrule)).toContain('FREQ=WEEKLY');
  });

  it('reports a non-calendar body as bad source data', async () => {
    const server = await serveBody('<html>日历维护中</html>');
    await expect(collect(icsConnector.read(config({ url: `${server.url}/x.ics` }), undefined, testReadContext()))).rejects.toMatchObject({ errorClass: 'source_data' });
  });

  it('rejects the bad config and bad state fixtures', async () => {
    const bad = icsConfigSchema.safeParse(JSON.parse(fixture(import.meta.url, 'bad-config.json').toString()));
    expect(bad.error?.issues.map((issue) => issue.path.join('.'))).toEqual(
      expect.arrayContaining(['url', 'timezone', 'mapping.fields.0.transforms.0.format', 'recurrence.windowDays', 'recurrence.from', 'recurrence.maxOccurrences']),
    );
    const state = JSON.parse(fixture(import.meta.url, 'bad-state.json').toString()) as Record<string, unknown>;
    await expect(collect(icsConnector.read(config({ url: 'http://127.0.0.1:9/x.ics' }), state, testReadContext()))).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});
