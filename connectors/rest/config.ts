import { z } from 'zod';
import { keyFields, sourceFields, sourcePathSchema } from '../shared/config.js';

const pagination = z.discriminatedUnion('type', [
  z.object({ type: z.literal('none') }),
  /** ?page=1&size=50, stopping at an empty or short page, or at the total. */
  z.object({
    type: z.literal('page'),
    pageParam: z.string().min(1).default('page'),
    sizeParam: z.string().min(1).optional(),
    pageSize: z.number().int().min(1).max(10_000).default(50),
    firstPage: z.number().int().min(0).default(1),
    /** Path to the total record count in the response envelope. */
    totalPath: sourcePathSchema.optional(),
    /** Path to the total page count. */
    totalPagesPath: sourcePathSchema.optional(),
  }),
  /** ?offset=0&limit=50 */
  z.object({
    type: z.literal('offset'),
    offsetParam: z.string().min(1).default('offset'),
    limitParam: z.string().min(1).default('limit'),
    limit: z.number().int().min(1).max(10_000).default(50),
    totalPath: sourcePathSchema.optional(),
  }),
  /** ?cursor=<token from the previous page>; stops when the response has none. */
  z.object({
    type: z.literal('cursor'),
    cursorParam: z.string().min(1).default('cursor'),
    nextCursorPath: sourcePathSchema,
  }),
  /** Follows a next URL from the body (nextPath) or from the Link header (rel="next"). */
  z.object({
    type: z.literal('nextLink'),
    nextPath: sourcePathSchema.optional(),
  }),
]);

export const restConfigSchema = z.object({
  ...sourceFields,
  ...keyFields,
  /** Fixed query parameters added to every request. */
  query: z.record(z.string(), z.string()).default({}),
  /** POST sends a JSON body: `body` plus the paging parameters (many 政务 search APIs work so). */
  method: z.enum(['GET', 'POST']).default('GET'),
  body: z.record(z.string(), z.json()).default({}),
  /** Path to the array of records in each page; several paths are concatenated. Omit when the body is the array. */
  recordsPath: z.union([sourcePathSchema, z.array(sourcePathSchema).min(1)]).optional(),
  pagination: pagination.default({ type: 'none' }),
  /** A guard against sources that page forever. */
  maxPages: z.number().int().min(1).default(10_000),
});

export type RestConfig = z.output<typeof restConfigSchema>;
export type RestPagination = RestConfig['pagination'];

/** Where to continue: saved after each page so an interrupted incremental run resumes. */
export const restStateSchema = z.object({
  resume: z
    .union([
      z.object({ page: z.number().int().min(0) }).strict(),
      z.object({ offset: z.number().int().min(0) }).strict(),
      z.object({ cursor: z.string().min(1) }).strict(),
      z.object({ url: z.string().url() }).strict(),
    ])
    .optional(),
});
export type RestPosition = NonNullable<z.output<typeof restStateSchema>['resume']> | { start: true };
