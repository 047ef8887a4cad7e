import ical from 'node-ical';
import { sourceDataError } from '../../src/ingest/fetch/index.js';
import { isValidTimezone, parseDate } from '../../src/ingest/mapping/dates.js';

/**
 * Calendar text → plain event records. node-ical unfolds lines before unescaping values and
 * accepts LF-only files and unfolded long lines. Floating times (no TZID, no Z) are read in the
 * calendar's first VTIMEZONE by node-ical; without one node-ical falls back to the process's local
 * zone, so we re-read them in the calendar's X-WR-TIMEZONE or the feed's configured zone.
 */
export interface CalendarEvent {
  uid: string;
  summary: string | undefined;
  description: string | undefined;
  location: string | undefined;
  url: string | undefined;
  /** ISO instant for timed events; `YYYY-MM-DD` for all-day events. */
  start: string;
  end: string | undefined;
  allDay: boolean;
  status: string | undefined;
  categories: string[];
  organizer: string | undefined;
  sequence: number | undefined;
  lastModified: string | undefined;
  rrule: string | undefined;
}

type ParameterValue = string | { val: string } | undefined;
type DateValue = (Date & { dateOnly?: boolean; tz?: string }) | undefined;

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object' && 'val' in (value as Record<string, unknown>)) return text((value as { val: unknown }).val);
  const result = String(value).trim();
  return result === '' ? undefined : result;
}

/** All-day dates are calendar days, not instants: node-ical builds them at local midnight. */
function dayText(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function localWallClock(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${dayText(date)} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

function dateText(date: DateValue, allDay: boolean, floatingZone: string): string | undefined {
  if (!date || Number.isNaN(date.getTime())) return undefined;
  if (allDay) return dayText(date);
  return date.tz === undefined ? parseDate(localWallClock(date), 'auto', floatingZone).toISOString() : date.toISOString();
}

/** The calendar's own zone (X-WR-TIMEZONE) when it names a valid one, else the feed's. */
function floatingZoneOf(calendar: string, configured: string): string {
  const named = /^X-WR-TIMEZONE:(.+)$/im.exec(calendar)?.[1]?.trim();
  return named && isValidTimezone(named) ? named : configured;
}

export function parseCalendar(calendar: string, timezone: string): CalendarEvent[] {
  if (!/BEGIN:VCALENDAR/i.test(calendar)) throw sourceDataError('不是 iCalendar 文件', 'Not an iCalendar file');
  let components: Record<string, unknown>;
  try {
    components = ical.sync.parseICS(calendar) as Record<string, unknown>;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw sourceDataError(`iCalendar 解析失败：${detail}`, `iCalendar could not be parsed: ${detail}`, error);
  }
  return Object.values(components)
    .filter((component): component is Record<string, unknown> => (component as { type?: string } | null)?.type === 'VEVENT')
    .map((event) => toEvent(event, floatingZoneOf(calendar, timezone)));
}

function toEvent(event: Record<string, unknown>, floatingZone: string): CalendarEvent {
  const start = event.start as DateValue;
  const allDay = event.datetype === 'date' || Boolean(start?.dateOnly);
  const startText = dateText(start, allDay, floatingZone);
  const uid = text(event.uid);
  if (!uid || !startText) throw sourceDataError(`日历事件缺少 UID 或开始时间：${uid ?? '?'}`, `A calendar event lacks a UID or a start: ${uid ?? '?'}`);
  const organizer = event.organizer as ParameterValue | { params?: { CN?: string }; val?: string };
  const rrule = event.rrule as { toString(): string } | undefined;
  return {
    uid,
    summary: text(event.summary),
    description: text(event.description),
    location: text(event.location),
    url: text(event.url),
    start: startText,
    end: dateText(event.end as DateValue, allDay, floatingZone),
    allDay,
    status: text(event.status),
    categories: Array.isArray(event.categories) ? event.categories.map(String) : [],
    organizer:
      organizer && typeof organizer === 'object' && 'params' in organizer && organizer.params?.CN
        ? organizer.params.CN
        : text(organizer)?.replace(/^mailto:/i, ''),
    sequence: typeof event.sequence === 'number' ? event.sequence : event.sequence === undefined ? undefined : Number(event.sequence),
    lastModified: dateText(event.lastmodified as DateValue, false, floatingZone),
    rrule: rrule ? rrule.toString() : undefined,
  };
}
