import { z } from 'zod';
import { mappingSpecSchema } from '../../src/ingest/mapping/index.js';
import { isValidPath } from '../../src/ingest/mapping/paths.js';

/** Config pieces every format connector shares. */

export const httpUrlSchema = z
  .string()
  .url({ message: '无效的地址 / Invalid URL' })
  .refine((value) => /^https?:\/\//i.test(value), { message: '只允许 http/https 地址 / Only http and https URLs are allowed' });

export const sourcePathSchema = z.string().min(1).refine(isValidPath, { message: '无效的路径 / Invalid path' });

export const authSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  z.object({ type: z.literal('header'), name: z.string().min(1), value: z.string().min(1) }),
  z.object({ type: z.literal('bearer'), token: z.string().min(1) }),
  z.object({ type: z.literal('basic'), username: z.string().min(1), password: z.string() }),
  z.object({ type: z.literal('apiKeyQuery'), param: z.string().min(1), value: z.string().min(1) }),
]);
export type Auth = z.output<typeof authSchema>;

/** Where the source lives and how to ask for it. */
export const sourceFields = {
  url: httpUrlSchema,
  headers: z.record(z.string(), z.string()).default({}),
  auth: authSchema.default({ type: 'none' }),
  mapping: mappingSpecSchema,
};

/**
 * How a record's key is found: one path, or several joined with `|`. Without one (or when
 * it is empty), the key is a hash of the record's content.
 */
export const keyFields = {
  idPath: z.union([sourcePathSchema, z.array(sourcePathSchema).min(1)]).optional(),
  /** Field whose value orders records for incremental sync (RawRecord.cursor). */
  cursorPath: sourcePathSchema.optional(),
};
