import { z } from 'zod';
import { keyFields, sourceFields } from '../shared/config.js';

const regex = z.string().min(1).refine(
  (pattern) => {
    try {
      new RegExp(pattern);
      return true;
    } catch {
      return false;
    }
  },
  { message: '无效的正则表达式 / Invalid regular expression' },
);

export const xlsxConfigSchema = z.object({
  ...sourceFields,
  ...keyFields,
  /** Sheet name, or 1-based position in the workbook. */
  sheet: z.union([z.string().min(1), z.number().int().min(1)]).default(1),
  /** 1-based row with the column names; rows above it are skipped. Empty header cells are named column1, column2… */
  headerRow: z.number().int().min(1).default(1),
  columns: z.array(z.string().min(1)).optional(),
  skipRowsAfterHeader: z.number().int().min(0).default(0),
  skipRowsWhere: z.array(z.object({ column: z.string().min(1), pattern: regex })).default([]),
  /** Rows with one filled cell under a wider header are group headings (merged cells), not records. */
  skipGroupHeaderRows: z.boolean().default(true),
  groupHeaderColumn: z.string().min(1).optional(),
});
export type XlsxConfig = z.output<typeof xlsxConfigSchema>;

export const xlsxStateSchema = z.object({}).strict();
