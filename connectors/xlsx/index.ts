import type { Connector } from '../contract.js';
import { checkByReading } from '../shared/check.js';
import { xlsxConfigSchema, type XlsxConfig } from './config.js';
import { mapRecord } from './mapper.js';
import { readXlsx } from './reader.js';

export const xlsxConnector: Connector<XlsxConfig> = {
  id: 'xlsx',
  title: { zh: 'Excel 表格（.xlsx）', en: 'Excel workbook (.xlsx)' },
  configSchema: xlsxConfigSchema,
  check: checkByReading(xlsxConfigSchema, readXlsx),
  read: readXlsx,
  map: mapRecord,
};

export { xlsxConfigSchema } from './config.js';
export type { XlsxConfig } from './config.js';
