import type { Connector } from '../contract.js';
import { checkByReading } from '../shared/check.js';
import { xmlConfigSchema, type XmlConfig } from './config.js';
import { mapRecord } from './mapper.js';
import { readXml } from './reader.js';

export const xmlConnector: Connector<XmlConfig> = {
  id: 'xml',
  title: { zh: '通用 XML', en: 'Generic XML' },
  configSchema: xmlConfigSchema,
  check: checkByReading(xmlConfigSchema, readXml),
  read: readXml,
  map: mapRecord,
};

export { xmlConfigSchema } from './config.js';
export type { XmlConfig } from './config.js';
