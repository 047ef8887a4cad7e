import { z } from 'zod';
import { keyFields, sourceFields } from '../shared/config.js';

export const dcatConfigSchema = z.object({
  /** A DCAT-US data.json catalogue, a DCAT-AP JSON-LD document (remote @context is never fetched) or Turtle. */
  ...sourceFields,
  ...keyFields,
  idPath: keyFields.idPath.default('id'),
  cursorPath: keyFields.cursorPath.default('modified'),
  /** Preferred languages for language-tagged literals, in order; otherwise the first value. */
  languages: z.array(z.string().min(1)).default(['zh', 'zh-CN', 'zh-Hans', 'en']),
  /** `auto`: Turtle when the server says text/turtle (or n-triples) or the body is not JSON. */
  syntax: z.enum(['auto', 'json', 'turtle']).default('auto'),
});
export type DcatConfig = z.output<typeof dcatConfigSchema>;

export const dcatStateSchema = z.object({}).strict();
