import type { Connector } from '../contract.js';
import { checkByReading } from '../shared/check.js';
import { ckanConfigSchema, type CkanConfig } from './config.js';
import { mapRecord } from './mapper.js';
import { readCkan } from './reader.js';

export const ckanConnector: Connector<CkanConfig> = {
  id: 'ckan',
  title: { zh: 'CKAN 数据目录', en: 'CKAN catalogue' },
  configSchema: ckanConfigSchema,
  check: checkByReading(ckanConfigSchema, readCkan),
  read: readCkan,
  map: mapRecord,
};

export { ckanConfigSchema } from './config.js';
export type { CkanConfig } from './config.js';
