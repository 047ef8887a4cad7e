import { parseDate } from '../../src/ingest/mapping/dates.js';

/** A date as node-ical gives it: flagged date-only for all-day values, with its TZID when it had one. */
export type DateValue = (Date & { dateOnly?: boolean; tz?: string }) | undefined;

/** All-day dates are calendar days, not instants: node-ical builds them at local midnight. */
function dayText(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function localWallClock(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${dayText(date)} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** An ISO instant for timed values (floating ones read in `floatingZone`), `YYYY-MM-DD` for all-day ones. */
export function dateText(date: DateValue, allDay: boolean, floatingZone: string): string | undefined {
  if (!date || Number.isNaN(date.getTime())) return undefined;
  if (allDay) return dayText(date);
  return date.tz === undefined ? parseDate(localWallClock(date), 'auto', floatingZone).toISOString() : date.toISOString();
}

