import type { TimeUnit } from './spec.js';

/**
 * Calendar buckets in Asia/Shanghai. Pipelines truncate with `$dateTrunc` in the zone (MongoDB
 * 5.0+; the embedded server compiles it with the zone applied). Labels and the tests' independent
 * scans use the zone's fixed +08:00 offset (no DST since 1991).
 */
const REPORT_TIMEZONE = 'Asia/Shanghai';
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;

type Expr = Record<string, unknown>;

/** The first instant of the bucket holding `date` (weeks start on Monday), or null when the date is missing. */
export function bucketStartExpr(date: string, unit: TimeUnit): Expr {
  return {
    $dateTrunc: { date, unit: unit.toLowerCase(), timezone: REPORT_TIMEZONE, ...(unit === 'WEEK' ? { startOfWeek: 'monday' } : {}) },
  };
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
