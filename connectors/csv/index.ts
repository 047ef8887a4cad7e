import type { Connector } from '../contract.js';
import { checkByReading } from '../shared/check.js';
import { csvConfigSchema, type CsvConfig } from './config.js';
import { mapRecord } from './mapper.js';
import { readCsv } from './reader.js';

export const csvConnector: Connector<CsvConfig> = {
  id: 'csv',
  title: { zh: 'CSV 文件', en: 'CSV file' },
  configSchema: csvConfigSchema,
  check: checkByReading(csvConfigSchema, readCsv),
  read: readCsv,
  map: mapRecord,
};

export { csvConfigSchema } from './config.js';
export type { CsvConfig } from './config.js';
