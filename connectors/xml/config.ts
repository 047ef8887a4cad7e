import { z } from 'zod';
import { keyFields, sourceFields, sourcePathSchema } from '../shared/config.js';
import { encodingSchema } from '../shared/charset.js';

export const xmlConfigSchema = z.object({
  ...sourceFields,
  ...keyFields,
  encoding: encodingSchema,
  fallbackEncoding: encodingSchema.default('gb18030'),
  /**
   * Namespace aliases used in recordPath, idPath and mapping paths, by URI, whatever prefixes
   * the document uses: `{ "dc": "http://purl.org/dc/elements/1.1/" }`. Names in namespaces
   * without an alias are addressed by their local name.
   */
  namespaces: z.record(z.string().regex(/^[A-Za-z_][\w.-]*$/), z.string().min(1)).default({}),
  /** Path to the record element(s), e.g. `leg:Legislation.leg:Contents.leg:ContentsItem`; one element or many. */
  recordPath: sourcePathSchema,
});
export type XmlConfig = z.output<typeof xmlConfigSchema>;

/** A document is read whole each run; there is no state. */
export const xmlStateSchema = z.object({}).strict();
