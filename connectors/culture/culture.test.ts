import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, fixture, realSample, startLocalServer, testReadContext, type LocalServer } from '../testing/index.js';
import { cultureConnector } from './index.js';

const rss = fixture(import.meta.url, 'events.rss.xml');
const ics = fixture(import.meta.url, 'events.ics');
const holidays = realSample('ics-china-public-holidays-yangh9.ics');

let server: LocalServer;
beforeAll(async () => {
  server = await startLocalServer((_request, response, url) => {
    if (url.pathname === '/real/holidays.ics' && holidays) {
      response.setHeader('content-type', 'text/calendar; charset=utf-8');
      return response.end(holidays);
    }
    if (url.pathname === '/hd/calendar.ics') {
      response.setHeader('content-type', 'text/calendar');
      return response.end(ics);
    }
    if (url.pathname !== '/hdyg/rss.xml') {
      response.statusCode = 404;
      return response.end();
    }
    response.setHeader('content-type', 'application/rss+xml');
    response.end(rss);
  });
});
afterAll(() => server.close());

const eventsConfig = () => cultureConnector.configSchema.parse({ dataset: 'events-rss', url: `${server.url}/hdyg/rss.xml` });

describe('culture profile: events (RSS with CDATA)', () => {
  it('keys items by guid with leading zeros', async () => {
    const { records, events } = await collect(cultureConnector.read(eventsConfig(), undefined, testReadContext()));
    expect(records.map((r) => r.sourceId)).toEqual(['0026011', '0026012', '0026013']);
    expect(events.at(-1)).toBe('complete');
  });

  it('takes the time and place out of the description, and cleans title and link', async () => {
    const config = eventsConfig();
    const { records } = await collect(cultureConnector.read(config, undefined, testReadContext()));
    const [gala, workshop] = records.map((r) => cultureConnector.map(r, config));
    expect(gala).toMatchObject({
      ok: true,
      record: {
        kind: 'EVENT',
        department: 'culture',
        title: '“百姓大舞台”周末专场 & 湖州三跳展演',
        startsAt: new Date('2026-12-05T11:30:00.000Z'),
        venue: '湖州市文化馆小剧场',
        organizer: '湖州市文化馆',
        tags: ['群众文化', '非遗'],
        sourceUrl: 'https://www.hzwhg.cn/hdyg/0026011.html',
      },
    });
    if (gala?.ok) expect(gala.record.body).not.toContain('<script');
    expect(workshop).toMatchObject({
      ok: true,
      record: { title: "湖笔制作技艺体验课（亲子场）'限额30组'", startsAt: new Date('2026-12-12T06:00:00.000Z'), venue: '善琏湖笔文化园' },
    });
  });

  it('rejects an announcement without a date', async () => {
    const config = eventsConfig();
    const { records } = await collect(cultureConnector.read(config, undefined, testReadContext()));
    const undated = cultureConnector.map(records[2]!, config);
    expect(undated.ok).toBe(false);
    if (!undated.ok) expect(undated.reasons.some((r) => r.startsWith('startsAt'))).toBe(true);
  });

  it('refuses a bad config and a bad state', async () => {
    const bad = cultureConnector.configSchema.safeParse(JSON.parse(fixture(import.meta.url, 'bad-config.json').toString('utf8')));
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['url', 'encoding', 'headers.Accept']));
    const state = JSON.parse(fixture(import.meta.url, 'bad-state.json').toString('utf8')) as Record<string, unknown>;
    await expect(collect(cultureConnector.read(eventsConfig(), state, testReadContext()))).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});

describe('culture profile: events (iCalendar, LF-only, long lines unfolded, floating times)', () => {
  const icsConfig = () => cultureConnector.configSchema.parse({ dataset: 'events-ics', url: `${server.url}/hd/calendar.ics` });

  it('maps timed and all-day events, reading floating times as Beijing time', async () => {
    const config = icsConfig();
    const { records } = await collect(cultureConnector.read(config, undefined, testReadContext()));
    expect(records.map((r) => r.sourceId)).toEqual(['000417@hzlib.cn', '000418@hzlib.cn', '000419@hzlib.cn']);
    const [lecture, exhibition] = records.map((r) => cultureConnector.map(r, config));
    expect(lecture).toMatchObject({
      ok: true,
      record: {
        kind: 'EVENT',
        title: '南太湖讲堂：赵孟頫与湖州书画, 公益讲座',
        startsAt: new Date('2026-12-19T01:30:00.000Z'),
        endsAt: new Date('2026-12-19T03:30:00.000Z'),
        venue: '湖州市图书馆三楼报告厅',
        tags: ['讲座', '阅读'],
      },
    });
    if (lecture?.ok) expect(lecture.record.summary).toContain('免费入场; 请通过');
    expect(exhibition).toMatchObject({ ok: true, record: { allDay: true, title: '冬至民俗文化展' } });
  });

  it('rejects an event without a summary', async () => {
    const config = icsConfig();
    const { records } = await collect(cultureConnector.read(config, undefined, testReadContext()));
    const untitled = cultureConnector.map(records[2]!, config);
    expect(untitled.ok).toBe(false);
    if (!untitled.ok) expect(untitled.reasons.some((r) => r.startsWith('title'))).toBe(true);
  });
});

describe('culture profile on a real calendar', () => {
  it('maps the 国务院 public-holiday calendar: all-day holidays and floating make-up workdays', async (t) => {
    if (!holidays) return t.skip();
    const config = cultureConnector.configSchema.parse({ dataset: 'events-ics', url: `${server.url}/real/holidays.ics` });
    const { records } = await collect(cultureConnector.read(config, undefined, testReadContext()));
    expect(records).toHaveLength(33);
    const mapped = records.map((r) => cultureConnector.map(r, config));
    expect(mapped.filter((m) => !m.ok)).toEqual([]);
    expect(mapped[0]).toMatchObject({ ok: true, record: { title: '「元旦 假期」 第1天/共1天', allDay: true, startsAt: new Date('2024-12-31T16:00:00.000Z') } });
    // DTSTART:20250126T090000 has no TZID: 09:00 in the calendar's X-WR-TIMEZONE (Asia/Shanghai).
    expect(mapped[1]).toMatchObject({ ok: true, record: { title: '「春节 补班」 第1天/共2天', allDay: false, startsAt: new Date('2025-01-26T01:00:00.000Z') } });
  });
});
