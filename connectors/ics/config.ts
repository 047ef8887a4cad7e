import { z } from 'zod';
import { isValidTimezone } from '../../src/ingest/mapping/dates.js';
import { keyFields, sourceFields } from '../shared/config.js';
import { encodingSchema } from '../shared/charset.js';

export const icsConfigSchema = z.object({
  ...sourceFields,
  /** Defaults to the event UID (the sync engine keys by feed + UID, so sibling feeds may share UIDs). */
  ...keyFields,
  encoding: encodingSchema,
  /** Timezone for floating times (no TZID, no Z) when the calendar names none (X-WR-TIMEZONE). */
  timezone: z.string().refine(isValidTimezone, { message: '未知时区 / Unknown timezone' }).default('Asia/Shanghai'),
  /** Leave out cancelled events (STATUS:CANCELLED), so a full refresh withdraws them. */
  skipCancelled: z.boolean().default(true),
});
export type IcsConfig = z.output<typeof icsConfigSchema>;

export const icsStateSchema = z.object({}).strict();
