import type { Connector } from '../contract.js';
import { checkByReading } from '../shared/check.js';
import { dcatConfigSchema, type DcatConfig } from './config.js';
import { mapRecord } from './mapper.js';
import { readDcat } from './reader.js';

export const dcatConnector: Connector<DcatConfig> = {
  id: 'dcat',
  title: { zh: 'DCAT 数据目录（data.json / JSON-LD / Turtle）', en: 'DCAT catalogue (data.json / JSON-LD / Turtle)' },
  configSchema: dcatConfigSchema,
  check: checkByReading(dcatConfigSchema, readDcat),
  read: readDcat,
  map: mapRecord,
};

export { dcatConfigSchema } from './config.js';
export type { DcatConfig } from './config.js';
export type { DcatDataset } from './catalog.js';
