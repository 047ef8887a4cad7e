import { z } from 'zod';
import { resourceFilterSchema } from '../catalog/index.js';

/**
 * A report: measures × dimensions × filter. Every measure reads one source collection; the
 * measures of one report must share it. Dimensions name the source's grouping keys.
 */

export { DIMENSION_SOURCES, MEASURE_SOURCES, REPORT_SOURCES, TIME_FIELDS, TIME_UNITS, type ReportSource, type TimeField, type TimeUnit } from './sources.js';
import { DIMENSION_SOURCES, MEASURE_SOURCES, TIME_FIELDS, TIME_UNITS, type ReportSource } from './sources.js';

export type Measure = keyof typeof MEASURE_SOURCES;
export const MEASURES = Object.keys(MEASURE_SOURCES) as Measure[];

export type DimensionKind = keyof typeof DIMENSION_SOURCES;
export const DIMENSION_KINDS = Object.keys(DIMENSION_SOURCES) as DimensionKind[];

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
