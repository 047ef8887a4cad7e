import { z } from 'zod';
import { isValidTimezone } from '../../src/ingest/mapping/dates.js';
import { keyFields, sourceFields } from '../shared/config.js';
import { encodingSchema } from '../shared/charset.js';

export const icsConfigSchema = z.object({
  ...sourceFields,
  /**
   * Defaults to `occurrenceId`: the event UID, or UID#occurrence start for an expanded
   * recurring event (the sync engine keys by feed + id, so sibling feeds may share UIDs).
   */
  ...keyFields,
  encoding: encodingSchema,
  /** Timezone for floating times (no TZID, no Z) when the calendar names none (X-WR-TIMEZONE). */
  timezone: z.string().refine(isValidTimezone, { message: '未知时区 / Unknown timezone' }).default('Asia/Shanghai'),
  /** Leave out cancelled events (STATUS:CANCELLED), so a full refresh withdraws them. */
  skipCancelled: z.boolean().default(true),
  /** Recurring events (RRULE) become one record per occurrence within a window. */
  recurrence: z
    .object({
      /** Off: a recurring event is one record keeping its RRULE as text. */
      expand: z.boolean().default(true),
      /** First day of the window (in the calendar's zone); default today, so the window rolls with each run. */
      from: z
        .string()
        .regex(/^\d{4}-\d{2}-\d{2}$/, { message: '日期格式应为 YYYY-MM-DD / Expected YYYY-MM-DD' })
        .refine((day) => !Number.isNaN(Date.parse(`${day}T00:00:00Z`)) && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day), {
          message: '无效日期 / Invalid date',
        })
        .optional(),
      /** Length of the window in days. */
      windowDays: z.number().int().min(1).max(731).default(90),
      /** A guard against rules that recur every minute: at most this many occurrences per event. */
      maxOccurrences: z.number().int().min(1).max(10_000).default(1_000),
    })
    .default({ expand: true, windowDays: 90, maxOccurrences: 1_000 }),
});
export type IcsConfig = z.output<typeof icsConfigSchema>;

export const icsStateSchema = z.object({}).strict();
