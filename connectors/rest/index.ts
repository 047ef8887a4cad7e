import type { Connector } from '../contract.js';
import { checkByReading } from '../shared/check.js';
import { restConfigSchema, type RestConfig } from './config.js';
import { mapRecord } from './mapper.js';
import { readRest } from './reader.js';

export const restConnector: Connector<RestConfig> = {
  id: 'rest',
  title: { zh: 'REST/JSON 接口', en: 'REST/JSON API' },
  configSchema: restConfigSchema,
  check: checkByReading(restConfigSchema, readRest),
  read: readRest,
  map: mapRecord,
};

export { restConfigSchema, restStateSchema } from './config.js';
export type { RestConfig } from './config.js';
