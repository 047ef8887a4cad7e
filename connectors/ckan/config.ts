import { z } from 'zod';
import { keyFields, sourceFields } from '../shared/config.js';

export const ckanConfigSchema = z.object({
  /** The CKAN site root (e.g. https://data.example.gov.cn); /api/3/action/package_search is appended. */
  ...sourceFields,
  ...keyFields,
  idPath: keyFields.idPath.default('id'),
  cursorPath: keyFields.cursorPath.default('metadata_modified'),
  q: z.string().default('*:*'),
  /** Solr filter query, e.g. `organization:health-commission`. */
  fq: z.string().optional(),
  rows: z.number().int().min(1).max(1000).default(100),
  /** A stable order keeps start/rows paging from skipping or repeating datasets. */
  sort: z.string().min(1).default('id asc'),
  maxPages: z.number().int().min(1).default(10_000),
});
export type CkanConfig = z.output<typeof ckanConfigSchema>;
