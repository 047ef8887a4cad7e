import { tzOffset } from '@date-fns/tz';
import { toHalfWidth } from './text.js';

/**
 * Dates as departments write them. Wall-clock values without an offset are read in the
 * given IANA timezone (Asia/Shanghai by default); values with an offset or Z keep it.
 */
export const DATE_FORMATS = ['auto', 'DD/MM/YYYY', 'MM/DD/YYYY', 'YYYYMMDD', 'epochMs', 'epochS', 'roc'] as const;
export type DateFormat = (typeof DATE_FORMATS)[number];

export const DEFAULT_TIMEZONE = 'Asia/Shanghai';

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
}

const TIME = String.raw`(?:[T\s]*(\d{1,2})[:时點点](\d{1,2})分?(?::?(\d{1,2})(?:\.(\d{1,9}))?秒?)?)?`;
const YMD_SEPARATED = new RegExp(String.raw`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})${TIME}$`);
const YMD_CHINESE = new RegExp(String.raw`^(?:公元)?(\d{4})年(\d{1,2})月(\d{1,2})[日号]?${TIME}$`);
const YMD_COMPACT = new RegExp(String.raw`^(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?$`);
const ROC_CHINESE = new RegExp(String.raw`^民[国國](\d{1,3})年(\d{1,2})月(\d{1,2})[日号]?${TIME}$`);
const ROC_NUMERIC = new RegExp(String.raw`^(\d{1,3})[-/.](\d{1,2})[-/.](\d{1,2})${TIME}$`);
const DMY = new RegExp(String.raw`^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})${TIME}$`);
const HAS_OFFSET = /(?:Z|[+-]\d{2}:?\d{2}|\b(?:GMT|UTC|UT))$/i;
const YEAR_MONTH = /^(\d{4})[-/.年](\d{1,2})月?$/;

export class DateParseError extends Error {}

export function parseDate(input: unknown, format: DateFormat = 'auto', timezone: string = DEFAULT_TIMEZONE): Date {
  if (input instanceof Date) return checked(input, input);
  if (typeof input === 'number') return fromEpoch(input, format === 'epochS' ? 'epochS' : 'epochMs', input);
  if (typeof input !== 'string') throw new DateParseError(`无法解析的日期 / Unparseable date: ${String(input)}`);
  const text = toHalfWidth(input).trim().replace(/\s+/g, ' ');
  if (text === '') throw new DateParseError('日期为空 / Empty date');
  switch (format) {
    case 'epochMs':
    case 'epochS':
      if (!/^-?\d+(\.\d+)?$/.test(text)) throw unparseable(input);
      return fromEpoch(Number(text), format, input);
    case 'DD/MM/YYYY':
    case 'MM/DD/YYYY': {
      const match = DMY.exec(text);
      if (!match) throw unparseable(input, format);
      const [first, second] = [Number(match[1]), Number(match[2])];
      const [day, month] = format === 'DD/MM/YYYY' ? [first, second] : [second, first];
      return zoned(wall(Number(match[3]), month, day, match.slice(4)), timezone, input);
    }
    case 'YYYYMMDD': {
      const match = YMD_COMPACT.exec(text);
      if (!match) throw unparseable(input, format);
      return zoned(compactWall(match), timezone, input);
    }
    case 'roc':
      return parseRoc(text, timezone, input, 1) ?? throwIt(unparseable(input, format));
    case 'auto':
      return parseAuto(text, timezone, input);
  }
}

function parseAuto(text: string, timezone: string, input: string): Date {
  if (/^-?\d{12,13}$/.test(text)) return fromEpoch(Number(text), 'epochMs', input);
  if (/^\d{9,10}$/.test(text)) return fromEpoch(Number(text), 'epochS', input);
  let match = YMD_COMPACT.exec(text);
  if (match) return zoned(compactWall(match), timezone, input);
  match = YMD_CHINESE.exec(text) ?? YMD_SEPARATED.exec(text);
  if (match) return zoned(wall(Number(match[1]), Number(match[2]), Number(match[3]), match.slice(4)), timezone, input);
  match = YEAR_MONTH.exec(text);
  if (match) return zoned(wall(Number(match[1]), Number(match[2]), 1, []), timezone, input);
  const roc = parseRoc(text, timezone, input, 3);
  if (roc) return roc;
  if (DMY.test(text)) {
    throw new DateParseError(`日期 ${input} 的日月顺序不明确，请指定格式 DD/MM/YYYY 或 MM/DD/YYYY / Ambiguous day-month order in ${input}; set format DD/MM/YYYY or MM/DD/YYYY`);
  }
  return parseWithEngine(text, timezone, input);
}

/** ISO 8601 and RFC 822 dates. `CST` in Chinese feeds means China Standard Time, not US Central. */
function parseWithEngine(text: string, timezone: string, input: string): Date {
  const normalized = text.replace(/\s+CST$/i, ' +0800').replace(/\s+(?:北京时间|Beijing Time)$/i, ' +0800');
  const iso = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/.exec(normalized);
  if (iso) {
    return zoned(wall(Number(iso[1]), Number(iso[2]), Number(iso[3]), [iso[4], iso[5], iso[6], iso[7]]), timezone, input);
  }
  const looksLikeDate = /\d{4}/.test(normalized) && (HAS_OFFSET.test(normalized) || /^\w{3},? /.test(normalized) || /^\d{4}-\d{2}-\d{2}T/.test(normalized));
  if (!looksLikeDate) throw unparseable(input);
  return checked(new Date(normalized), input);
}

/** ROC (民国) years: year + 1911. Without 民国, auto mode takes only 3-digit years (112/05/01). */
function parseRoc(text: string, timezone: string, input: string, minNumericYearDigits: number): Date | undefined {
  const numeric = ROC_NUMERIC.exec(text);
  const match = ROC_CHINESE.exec(text) ?? (numeric && (numeric[1] ?? '').length >= minNumericYearDigits ? numeric : null);
  if (!match) return undefined;
  const rocYear = Number(match[1]);
  if (rocYear < 1) throw unparseable(input, 'roc');
  return zoned(wall(rocYear + 1911, Number(match[2]), Number(match[3]), match.slice(4)), timezone, input);
}

function compactWall(match: RegExpExecArray): WallClock {
  return wall(Number(match[1]), Number(match[2]), Number(match[3]), [match[4], match[5], match[6]]);
}

function wall(year: number, month: number, day: number, time: ReadonlyArray<string | undefined>): WallClock {
  const fraction = time[3] ?? '';
  return {
    year,
    month,
    day,
    hour: Number(time[0] ?? 0),
    minute: Number(time[1] ?? 0),
    second: Number(time[2] ?? 0),
    millisecond: fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0,
  };
}

function fromEpoch(value: number, unit: 'epochMs' | 'epochS', input: unknown): Date {
  return checked(new Date(unit === 'epochS' ? value * 1000 : value), input);
}

/** The instant at which the wall clock in `timezone` shows `clock`. */
function zoned(clock: WallClock, timezone: string, input: unknown): Date {
  const { year, month, day, hour, minute, second, millisecond } = clock;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) throw unparseable(input);
  const asUtc = Date.UTC(year, month - 1, day, hour, minute, second, millisecond);
  const probe = new Date(asUtc);
  if (probe.getUTCDate() !== day || probe.getUTCMonth() !== month - 1) {
    throw new DateParseError(`不存在的日期 / No such date: ${String(input)}`);
  }
  let instant = asUtc - offsetMs(asUtc, timezone);
  instant = asUtc - offsetMs(instant, timezone);
  return new Date(instant);
}

/** Offsets by zone and hour: zone rules change on hour boundaries, and Intl is slow per call. */
const offsetCache = new Map<string, number>();
const OFFSET_CACHE_LIMIT = 50_000;

function offsetMs(instant: number, timezone: string): number {
  const key = `${timezone}|${Math.floor(instant / 3_600_000)}`;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return cached;
  const offset = computeOffsetMs(instant, timezone);
  if (offsetCache.size >= OFFSET_CACHE_LIMIT) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}

function computeOffsetMs(instant: number, timezone: string): number {
  const minutes = tzOffset(timezone, new Date(instant));
  if (Number.isNaN(minutes)) throw new DateParseError(`未知时区 / Unknown timezone: ${timezone}`);
  return minutes * 60_000;
}

export function isValidTimezone(timezone: string): boolean {
  return !Number.isNaN(tzOffset(timezone, new Date()));
}

function checked(date: Date, input: unknown): Date {
  if (Number.isNaN(date.getTime())) throw unparseable(input);
  return date;
}

function unparseable(input: unknown, format?: string): DateParseError {
  const suffix = format ? `（格式 ${format}）` : '';
  const suffixEn = format ? ` (format ${format})` : '';
  return new DateParseError(`无法解析的日期${suffix} / Unparseable date${suffixEn}: ${String(input)}`);
}

function throwIt(error: Error): never {
  throw error;
}
