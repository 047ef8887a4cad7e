import ical, { type VEvent } from 'node-ical';
import { sourceDataError } from '../../src/ingest/fetch/index.js';
import { parseDate } from '../../src/ingest/mapping/dates.js';
import type { CalendarEvent } from './events.js';
import { dateText, type DateValue } from './times.js';

/**
 * RRULE expansion: one event per occurrence that overlaps a window of days in the
 * calendar's zone. node-ical generates the dates (rrule-temporal, TZID-aware), removes
 * EXDATEs and applies RECURRENCE-ID overrides; the window is applied here on the converted
 * times, so the result does not depend on the host's time zone.
 */
export interface OccurrenceWindow {
  /** First day, `YYYY-MM-DD` in the calendar's zone. */
  from: string;
  days: number;
  maxOccurrences: number;
  /** Told when an event had more occurrences than `maxOccurrences` (the rest are left out). */
  onTruncated?: (uid: string, occurrences: number) => void;
}

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` plus a number of days. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Today's date in a zone, `YYYY-MM-DD`. */
export function todayIn(timezone: string, now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** `2026-12-19T01:30:00.000Z` → `20261219T013000Z`, `2026-12-26` → `20261226`. */
function compact(start: string): string {
  return start.replace(/\.\d{3}/u, '').replace(/[-:]/gu, '');
}

function overlaps(event: CalendarEvent, window: OccurrenceWindow, floatingZone: string): boolean {
  const to = addDays(window.from, window.days);
  if (event.allDay) {
    const end = event.end ?? addDays(event.start, 1);
    return event.start < to && end > window.from;
  }
  const start = Date.parse(event.start);
  const end = event.end ? Date.parse(event.end) : start;
  const from = parseDate(`${window.from} 00:00:00`, 'auto', floatingZone).getTime();
  return start < parseDate(`${to} 00:00:00`, 'auto', floatingZone).getTime() && (end > from || start >= from);
}

export interface ExpandOptions {
  window: OccurrenceWindow;
  floatingZone: string;
  /** The plain event an override component describes (its own summary, times, status). */
  describe: (component: Record<string, unknown>) => CalendarEvent;
}

/** The occurrences of one recurring event in the window, keyed `UID#<original start>`. */
export function expandOccurrences(component: Record<string, unknown>, master: CalendarEvent, options: ExpandOptions): CalendarEvent[] {
  const { window, floatingZone, describe } = options;
  // A day of margin on each side: node-ical compares in the host's zone; the exact window is applied below.
  const from = new Date(Date.parse(`${window.from}T00:00:00Z`) - 2 * DAY_MS);
  const to = new Date(Date.parse(`${addDays(window.from, window.days)}T00:00:00Z`) + 2 * DAY_MS);
  let instances: ReturnType<typeof ical.expandRecurringEvent>;
  try {
    instances = ical.expandRecurringEvent(component as unknown as VEvent, { from, to, expandOngoing: true });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw sourceDataError(`重复规则无法展开（${master.uid}）：${detail}`, `The recurrence rule of ${master.uid} could not be expanded: ${detail}`, error);
  }
  const occurrences: CalendarEvent[] = [];
  for (const instance of instances) {
    const override = instance.isOverride ? (instance.event as unknown as Record<string, unknown>) : undefined;
    const fields = override ? describe(override) : master;
    const original = override ? (override.recurrenceid as DateValue) : (instance.start as DateValue);
    const recurrenceId = dateText(original, master.allDay, floatingZone);
    const start = dateText(instance.start as DateValue, master.allDay, floatingZone);
    if (!recurrenceId || !start) continue;
    const occurrence: CalendarEvent = {
      ...fields,
      start,
      end: dateText(instance.end as DateValue, master.allDay, floatingZone),
      allDay: master.allDay,
      rrule: master.rrule,
      recurrenceId,
      occurrenceId: `${master.uid}#${compact(recurrenceId)}`,
    };
    if (overlaps(occurrence, window, floatingZone)) occurrences.push(occurrence);
  }
  if (occurrences.length > window.maxOccurrences) {
    window.onTruncated?.(master.uid, occurrences.length);
    return occurrences.slice(0, window.maxOccurrences);
  }
  return occurrences;
}
