import { z } from 'zod';
import { keyFields, sourceFields } from '../shared/config.js';
import { encodingSchema } from '../shared/charset.js';

const rowFilter = z.object({
  column: z.string().min(1),
  /** Rows whose value in `column` matches are skipped (totals rows, notes, repeated headers). */
  pattern: z.string().min(1).refine(
    (pattern) => {
      try {
        new RegExp(pattern);
        return true;
      } catch {
        return false;
      }
    },
    { message: '无效的正则表达式 / Invalid regular expression' },
  ),
});

export const csvConfigSchema = z
  .object({
    ...sourceFields,
    ...keyFields,
    /** 'auto': BOM, then the HTTP charset, then UTF-8 if the bytes are valid UTF-8, else GB18030. */
    encoding: encodingSchema,
    delimiter: z.string().min(1).max(4).default(','),
    quote: z.string().length(1).default('"'),
    /** 1-based row holding the column names (rows above it are skipped); 0 when there is none. */
    headerRow: z.number().int().min(0).default(1),
    /** Column names, overriding the header row (required when headerRow is 0). */
    columns: z.array(z.string().min(1)).optional(),
    /** Rows right below the header to skip (units rows, English header rows). */
    skipRowsAfterHeader: z.number().int().min(0).default(0),
    skipRowsWhere: z.array(rowFilter).default([]),
  })
  .refine((config) => config.headerRow > 0 || (config.columns?.length ?? 0) > 0, {
    message: '没有表头行时必须给出列名 columns / columns are required when headerRow is 0',
    path: ['columns'],
  });

export type CsvConfig = z.output<typeof csvConfigSchema>;

/** A CSV is read whole each run (a plain HTTP file cannot be resumed), so there is no state. */
export const csvStateSchema = z.object({}).strict();
