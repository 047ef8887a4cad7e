import type { TimeUnit } from './spec.js';

/**
 * Calendar buckets in Asia/Shanghai. The zone has had a fixed +08:00 offset since 1991, so a
 * bucket is computed on the instant shifted by eight hours and read in UTC. The expressions
 * use only arithmetic, $year/$month and $dateFromParts with every part given: they give the
 * same result on the embedded server (mingo's $dateTrunc misplaces zoned buckets and costs
 * ~1 ms per document; its $dateFromParts needs month and day spelled out) and on MongoDB.
 */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

type Expr = Record<string, unknown>;

function shifted(date: unknown): Expr {
  return { $add: [date, SHANGHAI_OFFSET_MS] };
}

/** The first instant of the bucket holding `date`, or null when the date is missing. */
export function bucketStartExpr(date: string, unit: TimeUnit): Expr {
  const local = shifted(date);
  const sinceEpoch = { $toLong: local };
  let start: unknown;
  switch (unit) {
    case 'DAY':
      start = { $subtract: [date, { $mod: [sinceEpoch, DAY_MS] }] };
      break;
    case 'WEEK': {
      // 1970-01-01 was a Thursday: days since epoch + 3, mod 7, counts days since Monday.
      const intoWeek = { $add: [{ $mod: [sinceEpoch, DAY_MS] }, { $multiply: [{ $mod: [{ $add: [{ $floor: { $divide: [sinceEpoch, DAY_MS] } }, 3] }, 7] }, DAY_MS] }] };
      start = { $subtract: [date, intoWeek] };
      break;
    }
    case 'MONTH':
      start = { $subtract: [{ $dateFromParts: { year: { $year: local }, month: { $month: local }, day: 1 } }, SHANGHAI_OFFSET_MS] };
      break;
    case 'QUARTER': {
      const firstMonth = { $add: [{ $multiply: [{ $floor: { $divide: [{ $subtract: [{ $month: local }, 1] }, 3] } }, 3] }, 1] };
      start = { $subtract: [{ $dateFromParts: { year: { $year: local }, month: firstMonth, day: 1 } }, SHANGHAI_OFFSET_MS] };
      break;
    }
    case 'YEAR':
      start = { $subtract: [{ $dateFromParts: { year: { $year: local }, month: 1, day: 1 } }, SHANGHAI_OFFSET_MS] };
      break;
  }
  return { $cond: [{ $eq: [{ $type: date }, 'date'] }, start, null] };
}

/** The same bucket computed in plain JavaScript: for labels (and for tests' independent scans). */
export function bucketStart(date: Date, unit: TimeUnit): Date {
  const local = new Date(date.getTime() + SHANGHAI_OFFSET_MS);
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth();
  let start: number;
  switch (unit) {
    case 'DAY':
      start = Date.UTC(y, m, local.getUTCDate());
      break;
    case 'WEEK':
      start = Date.UTC(y, m, local.getUTCDate() - ((local.getUTCDay() + 6) % 7));
      break;
    case 'MONTH':
      start = Date.UTC(y, m, 1);
      break;
    case 'QUARTER':
      start = Date.UTC(y, m - (m % 3), 1);
      break;
    case 'YEAR':
      start = Date.UTC(y, 0, 1);
      break;
  }
  return new Date(start - SHANGHAI_OFFSET_MS);
}

/** 2024-02-01 (day and week start), 2024-02, 2024-Q1, 2024: the bucket's name in Shanghai time. */
export function bucketLabel(start: Date, unit: TimeUnit): string {
  const local = new Date(start.getTime() + SHANGHAI_OFFSET_MS).toISOString();
  switch (unit) {
    case 'DAY':
    case 'WEEK':
      return local.slice(0, 10);
    case 'MONTH':
      return local.slice(0, 7);
    case 'QUARTER':
      return `${local.slice(0, 4)}-Q${Math.floor((Number(local.slice(5, 7)) - 1) / 3) + 1}`;
    case 'YEAR':
      return local.slice(0, 4);
  }
}
