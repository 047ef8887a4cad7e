import { z } from 'zod';
import { keyFields, sourceFields } from '../shared/config.js';
import { encodingSchema } from '../shared/charset.js';

export const rssConfigSchema = z.object({
  ...sourceFields,
  /** Defaults to the item's guid (RSS) or id (Atom); set a path into the normalized item to override. */
  ...keyFields,
  /** 'auto': BOM, HTTP charset, XML declaration (gb2312 → GB18030), UTF-8 if valid, else fallbackEncoding. */
  encoding: encodingSchema,
  fallbackEncoding: encodingSchema.default('gb18030'),
  /**
   * OpenSearch paging: a `rel="next"` link is always followed; with startParam set, pages are
   * also requested by start index from openSearch:startIndex/itemsPerPage/totalResults.
   */
  openSearch: z.object({ startParam: z.string().min(1).optional() }).default({}),
  maxPages: z.number().int().min(1).default(100),
});
export type RssConfig = z.output<typeof rssConfigSchema>;

export const rssStateSchema = z.object({ resume: z.object({ url: z.string().url() }).strict().optional() }).strict();
