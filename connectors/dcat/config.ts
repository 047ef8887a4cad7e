import { z } from 'zod';
import { keyFields, sourceFields } from '../shared/config.js';

export const dcatConfigSchema = z.object({
  /** A DCAT-US data.json catalogue or a DCAT-AP JSON-LD document (remote @context is never fetched). */
  ...sourceFields,
  ...keyFields,
  idPath: keyFields.idPath.default('id'),
  cursorPath: keyFields.cursorPath.default('modified'),
  /** Preferred languages for language-tagged literals, in order; otherwise the first value. */
  languages: z.array(z.string().min(1)).default(['zh', 'zh-CN', 'zh-Hans', 'en']),
});
export type DcatConfig = z.output<typeof dcatConfigSchema>;

export const dcatStateSchema = z.object({}).strict();
