import type { Connector } from '../contract.js';
import { checkByReading } from '../shared/check.js';
import { icsConfigSchema, type IcsConfig } from './config.js';
import { mapRecord } from './mapper.js';
import { readIcs } from './reader.js';

export const icsConnector: Connector<IcsConfig> = {
  id: 'ics',
  title: { zh: 'iCalendar 日历（.ics）', en: 'iCalendar (.ics)' },
  configSchema: icsConfigSchema,
  check: checkByReading(icsConfigSchema, readIcs),
  read: readIcs,
  map: mapRecord,
};

export { icsConfigSchema } from './config.js';
export type { IcsConfig } from './config.js';
export type { CalendarEvent } from './events.js';
