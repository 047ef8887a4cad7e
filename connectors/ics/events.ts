import ical from 'node-ical';
import { sourceDataError } from '../../src/ingest/fetch/index.js';
import { isValidTimezone } from '../../src/ingest/mapping/dates.js';
import { expandOccurrences, type OccurrenceWindow } from './recurrence.js';
import { dateText, type DateValue } from './times.js';

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
  /** The occurrence's original start (its RECURRENCE-ID), same form as `start`; only on expanded occurrences. */
  recurrenceId: string | undefined;
  /** The record key: the UID, or `UID#<original start, compact>` for an expanded occurrence. */
  occurrenceId: string;
}

type ParameterValue = string | { val: string } | undefined;

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object' && 'val' in (value as Record<string, unknown>)) return text((value as { val: unknown }).val);
  const result = String(value).trim();
  return result === '' ? undefined : result;
}

/** The calendar's own zone (X-WR-TIMEZONE) when it names a valid one, else the feed's. */
function floatingZoneOf(calendar: string, configured: string): string {
  const named = /^X-WR-TIMEZONE:(.+)$/im.exec(calendar)?.[1]?.trim();
  return named && isValidTimezone(named) ? named : configured;
}

/**
 * The calendar's events. With a window, a recurring event (RRULE) gives one event per
 * occurrence in the window (EXDATE removed, RECURRENCE-ID overrides applied); without one
 * it stays a single event carrying its rule as text.
 */
export function parseCalendar(calendar: string, timezone: string, window?: OccurrenceWindow): CalendarEvent[] {
  if (!/BEGIN:VCALENDAR/i.test(calendar)) throw sourceDataError('不是 iCalendar 文件', 'Not an iCalendar file');
  let components: Record<string, unknown>;
  try {
    components = ical.sync.parseICS(calendar) as Record<string, unknown>;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw sourceDataError(`iCalendar 解析失败：${detail}`, `iCalendar could not be parsed: ${detail}`, error);
  }
  const floatingZone = floatingZoneOf(calendar, timezone);
  return Object.values(components)
    .filter((component): component is Record<string, unknown> => (component as { type?: string } | null)?.type === 'VEVENT')
    .flatMap((component) => {
      const event = toEvent(component, floatingZone);
      if (!window || component.rrule === undefined) return [event];
      return expandOccurrences(component, event, { window, floatingZone, describe: (override) => toEvent(override, floatingZone) });
    });
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
    recurrenceId: undefined,
    occurrenceId: uid,
  };
}
