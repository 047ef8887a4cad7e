/**
 * Calendar arithmetic in a timezone, as MongoDB's date expressions do it: an instant is read as
 * local wall-clock parts (year … millisecond) in the zone, and local parts are turned back into
 * an instant. Zones are an Olson name (`Asia/Shanghai`), an offset (`+08:00`, `+0800`, `+08`) or
 * UTC/GMT. Offsets of named zones come from @date-fns/tz (Intl), memoised per hour of the instant.
 */

import { tzOffset } from '@date-fns/tz';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export interface LocalParts {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

/** The offset (ms, local − UTC) of a zone at an instant. */
export type Zone = (instantMs: number) => number;

const UTC: Zone = () => 0;
const OFFSET_RE = /^([+-])(\d{2})(?::?(\d{2}))?$/;
const zones = new Map<string, Zone>();

/** Hours of offsets a named zone keeps in a typed array (~15 years around the first instant asked for, 1 MB). */
const WINDOW_HOURS = 1 << 17;

function namedZone(name: string): Zone | undefined {
  if (Number.isNaN(tzOffset(name, new Date()))) return undefined;
  const offsetAt = (hour: number): number => tzOffset(name, new Date(hour * HOUR_MS)) * MINUTE_MS;
  // Offsets by hour: read from an array within the window (no hashing per date), from a map beyond it.
  let window: Float64Array | undefined;
  let base = 0;
  const byHour = new Map<number, number>();
  return (instantMs) => {
    const hour = Math.floor(instantMs / HOUR_MS);
    if (!window && Number.isFinite(hour)) {
      window = new Float64Array(WINDOW_HOURS).fill(Number.NaN);
      base = hour - WINDOW_HOURS / 2;
    }
    const at = hour - base;
    if (window && at >= 0 && at < WINDOW_HOURS) {
      let offset = window[at]!;
      if (Number.isNaN(offset)) {
        offset = offsetAt(hour);
        window[at] = offset;
      }
      return offset;
    }
    let offset = byHour.get(hour);
    if (offset === undefined) {
      offset = offsetAt(hour);
      byHour.set(hour, offset);
    }
    return offset;
  };
}

/** The zone a `timezone` argument names; undefined when it names none (the caller reports it). */
export function zoneOf(timezone: string | undefined): Zone | undefined {
  if (timezone === undefined || timezone === 'UTC' || timezone === 'GMT' || timezone === 'Z') return UTC;
  let zone = zones.get(timezone);
  if (zone) return zone;
  const offset = OFFSET_RE.exec(timezone);
  if (offset) {
    const ms = (Number(offset[2]) * 60 + Number(offset[3] ?? 0)) * MINUTE_MS * (offset[1] === '-' ? -1 : 1);
    zone = () => ms;
  } else {
    zone = namedZone(timezone);
  }
  if (zone) zones.set(timezone, zone);
  return zone;
}

export function localParts(instantMs: number, zone: Zone): LocalParts {
  const local = new Date(instantMs + zone(instantMs));
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
    millisecond: local.getUTCMilliseconds(),
  };
}

/** The instant whose local parts in the zone are these (the earlier one across a DST overlap). */
function instantOf(parts: LocalParts, zone: Zone): number {
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second, parts.millisecond);
  const guess = wall - zone(wall);
  return wall - zone(guess);
}

/** 1 (Sunday) … 7 (Saturday), as `$dayOfWeek`. */
export function dayOfWeek(parts: LocalParts): number {
  return new Date(Date.UTC(parts.year, parts.month - 1, parts.day)).getUTCDay() + 1;
}

export function dayOfYear(parts: LocalParts): number {
  return Math.round((Date.UTC(parts.year, parts.month - 1, parts.day) - Date.UTC(parts.year, 0, 1)) / DAY_MS) + 1;
}

export const TRUNC_UNITS = ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second', 'millisecond'] as const;
export type TruncUnit = (typeof TRUNC_UNITS)[number];

const WEEK_DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** 0 (Sunday) … 6 from `startOfWeek` ("monday", "mon", any case); undefined when invalid. */
export function weekStartOf(name: string): number | undefined {
  const lower = name.toLowerCase();
  const index = WEEK_DAYS.indexOf(lower.slice(0, 3));
  const full = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'][index];
  return index >= 0 && (lower.length === 3 || lower === full) ? index : undefined;
}

/** Day-or-longer bucket starts by local day number, per zone, unit and week start. */
const dayBuckets = new WeakMap<Zone, Map<number, number>>();
const MAX_CACHED_BUCKETS = 100_000;
let lastZone: Zone | undefined;
let lastBuckets: Map<number, number> | undefined;

/** `$dateTrunc` with binSize 1: the start of the unit holding the instant, in the zone. */
export function truncate(instantMs: number, unit: TruncUnit, zone: Zone, weekStart: number): number {
  if (unit === 'millisecond' || unit === 'second' || unit === 'minute' || unit === 'hour') return truncateParts(instantMs, unit, zone, weekStart);
  // A bucket of a day or longer depends only on the local date: computed once per date.
  const localDay = Math.floor((instantMs + zone(instantMs)) / DAY_MS);
  // The zone is nearly always the previous call's (one pipeline, one timezone): no WeakMap lookup then.
  let cache = zone === lastZone ? lastBuckets : dayBuckets.get(zone);
  if (!cache || cache.size > MAX_CACHED_BUCKETS) {
    cache = new Map();
    dayBuckets.set(zone, cache);
  }
  lastZone = zone;
  lastBuckets = cache;
  const key = localDay * 100 + TRUNC_UNITS.indexOf(unit) * 10 + weekStart;
  let start = cache.get(key);
  if (start === undefined) {
    start = truncateParts(instantMs, unit, zone, weekStart);
    cache.set(key, start);
  }
  return start;
}

function truncateParts(instantMs: number, unit: TruncUnit, zone: Zone, weekStart: number): number {
  const p = localParts(instantMs, zone);
  switch (unit) {
    case 'millisecond':
      return instantMs;
    case 'second':
      return instantOf({ ...p, millisecond: 0 }, zone);
    case 'minute':
      return instantOf({ ...p, second: 0, millisecond: 0 }, zone);
    case 'hour':
      return instantOf({ ...p, minute: 0, second: 0, millisecond: 0 }, zone);
    case 'day':
      return instantOf({ ...p, hour: 0, minute: 0, second: 0, millisecond: 0 }, zone);
    case 'week': {
      const back = (dayOfWeek(p) - 1 - weekStart + 7) % 7;
      const start = new Date(Date.UTC(p.year, p.month - 1, p.day - back));
      return instantOf({ year: start.getUTCFullYear(), month: start.getUTCMonth() + 1, day: start.getUTCDate(), hour: 0, minute: 0, second: 0, millisecond: 0 }, zone);
    }
    case 'month':
      return instantOf({ year: p.year, month: p.month, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 }, zone);
    case 'quarter':
      return instantOf({ year: p.year, month: p.month - ((p.month - 1) % 3), day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 }, zone);
    case 'year':
      return instantOf({ year: p.year, month: 1, day: 1, hour: 0, minute: 0, second: 0, millisecond: 0 }, zone);
  }
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function offsetText(offsetMs: number, colon: boolean): string {
  const minutes = Math.abs(offsetMs) / MINUTE_MS;
  return `${offsetMs < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60), 2)}${colon ? ':' : ''}${pad(minutes % 60, 2)}`;
}

/** `$dateToString` formats; undefined when the format uses a specifier not handled here. */
export function formatDate(instantMs: number, format: string, zone: Zone): string | undefined {
  const p = localParts(instantMs, zone);
  let out = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i]!;
    if (ch !== '%') {
      out += ch;
      continue;
    }
    const spec = format[++i];
    switch (spec) {
      case 'Y':
        out += pad(p.year, 4);
        break;
      case 'm':
        out += pad(p.month, 2);
        break;
      case 'd':
        out += pad(p.day, 2);
        break;
      case 'H':
        out += pad(p.hour, 2);
        break;
      case 'M':
        out += pad(p.minute, 2);
        break;
      case 'S':
        out += pad(p.second, 2);
        break;
      case 'L':
        out += pad(p.millisecond, 3);
        break;
      case 'j':
        out += pad(dayOfYear(p), 3);
        break;
      case 'w':
        out += String(dayOfWeek(p));
        break;
      case 'u':
        out += String(((dayOfWeek(p) + 5) % 7) + 1);
        break;
      case 'z':
        out += offsetText(zone(instantMs), false);
        break;
      case '%':
        out += '%';
        break;
      default:
        return undefined;
    }
  }
  return out;
}

export const DEFAULT_DATE_FORMAT = '%Y-%m-%dT%H:%M:%S.%LZ';
