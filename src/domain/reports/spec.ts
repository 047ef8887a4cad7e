import { z } from 'zod';
import { resourceFilterSchema } from '../catalog/index.js';

/**
 * A report: measures × dimensions × filter. Every measure reads one source collection; the
 * measures of one report must share it. Dimensions name the source's grouping keys.
 */

export const REPORT_SOURCES = ['RESOURCES', 'FEEDS', 'REVIEWS'] as const;
export type ReportSource = (typeof REPORT_SOURCES)[number];

export const MEASURE_SOURCES = {
  RESOURCE_COUNT: 'RESOURCES',
  SERVICE_COUNT: 'RESOURCES',
  POLICY_COUNT: 'RESOURCES',
  EVENT_COUNT: 'RESOURCES',
  ORG_UNITS_COVERED: 'RESOURCES',
  POLICIES_IN_FORCE: 'RESOURCES',
  POLICIES_EXPIRING: 'RESOURCES',
  FEED_COUNT: 'FEEDS',
  FEED_LAG_HOURS: 'FEEDS',
  FAILURE_STREAK: 'FEEDS',
  SYNC_SUCCESS_RATE: 'FEEDS',
  QUARANTINE_RATE: 'FEEDS',
  STAGE_ENTRIES: 'REVIEWS',
  BACKLOG: 'REVIEWS',
  STAGE_HOURS_AVG: 'REVIEWS',
  STAGE_HOURS_MAX: 'REVIEWS',
} as const satisfies Record<string, ReportSource>;
export type Measure = keyof typeof MEASURE_SOURCES;
export const MEASURES = Object.keys(MEASURE_SOURCES) as Measure[];

export const DIMENSION_SOURCES = {
  DEPARTMENT: ['RESOURCES', 'FEEDS', 'REVIEWS'],
  KIND: ['RESOURCES', 'FEEDS'],
  CATEGORY: ['RESOURCES'],
  THEME: ['RESOURCES'],
  ISSUER: ['RESOURCES'],
  AUDIENCE: ['RESOURCES'],
  VALIDITY: ['RESOURCES'],
  STATUS: ['RESOURCES', 'REVIEWS'],
  FEED: ['RESOURCES', 'FEEDS'],
  ORG_UNIT: ['RESOURCES', 'REVIEWS'],
  TIME: ['RESOURCES', 'REVIEWS'],
  REVIEW_STAGE: ['REVIEWS'],
} as const satisfies Record<string, readonly ReportSource[]>;
export type DimensionKind = keyof typeof DIMENSION_SOURCES;
export const DIMENSION_KINDS = Object.keys(DIMENSION_SOURCES) as DimensionKind[];

export const TIME_UNITS = ['DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];
/** The date a resource is bucketed by; review stage entries always use their entry time. */
export const TIME_FIELDS = ['CREATED_AT', 'UPDATED_AT', 'PUBLISHED_AT', 'STARTS_AT'] as const;
export type TimeField = (typeof TIME_FIELDS)[number];

const dimensionSchema = z
  .object({
    by: z.enum(DIMENSION_KINDS as [DimensionKind, ...DimensionKind[]]),
    /** ORG_UNIT: the level rolled up to (1 city … 4 grassroots). */
    level: z.number().int().min(1).max(4).nullish(),
    /** TIME: bucket size (Asia/Shanghai calendar). */
    unit: z.enum(TIME_UNITS).nullish(),
    field: z.enum(TIME_FIELDS).nullish(),
  })
  .refine((d) => d.by !== 'ORG_UNIT' || d.level != null, { message: 'ORG_UNIT needs level', path: ['level'] })
  .refine((d) => d.by !== 'TIME' || d.unit != null, { message: 'TIME needs unit', path: ['unit'] });
export type Dimension = z.infer<typeof dimensionSchema>;

export const reportSpecSchema = z
  .object({
    measures: z.array(z.enum(MEASURES as [Measure, ...Measure[]])).min(1).max(16),
    dimensions: z.array(dimensionSchema).max(4),
    filter: resourceFilterSchema.nullish(),
    /** The instant "in force", "expiring" and feed lag are judged at; default: now. */
    asOf: z.coerce.date().nullish(),
    /** POLICIES_EXPIRING: in force at asOf and ending within this many days. */
    expiringWithinDays: z.number().int().min(1).max(3650).nullish(),
  })
  .refine((spec) => new Set(spec.measures.map((m) => MEASURE_SOURCES[m])).size === 1, {
    message: 'measures must share one source',
    path: ['measures'],
  });
export type ReportSpec = z.infer<typeof reportSpecSchema>;
export type ReportSpecInput = z.input<typeof reportSpecSchema>;

export function sourceOf(spec: Pick<ReportSpec, 'measures'>): ReportSource {
  return MEASURE_SOURCES[spec.measures[0]!];
}
