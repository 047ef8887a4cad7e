import { z } from 'zod';
import { dataset } from '../department-profile/index.js';
import { icsConfigSchema, icsConnector } from '../ics/index.js';
import { rssConnector } from '../rss/index.js';
import { encodingSchema } from '../shared/charset.js';
import { isValidTimezone } from '../../src/ingest/mapping/dates.js';
import { cultureEventsIcsMapping, cultureEventsRssMapping } from './mapping.js';

/** 文化馆/图书馆 活动预告 RSS. */
export const cultureEventsRss = dataset({
  id: 'events-rss',
  title: { zh: '文化活动预告（RSS）', en: 'Cultural events (RSS)' },
  format: rssConnector,
  options: { encoding: encodingSchema },
  formatConfig: (config) => ({ url: config.url, headers: config.headers, auth: config.auth, encoding: config.encoding }),
  mapping: cultureEventsRssMapping,
});

/** 活动日历 (.ics) of a library or museum; floating times are Beijing time. */
export const cultureEventsIcs = dataset({
  id: 'events-ics',
  title: { zh: '文化活动日历（iCalendar）', en: 'Cultural events (iCalendar)' },
  format: icsConnector,
  options: {
    encoding: encodingSchema,
    timezone: z.string().refine(isValidTimezone, { message: '未知时区 / Unknown timezone' }).default('Asia/Shanghai'),
    /** Recurring activities (每周六少儿故事会) become one event per occurrence in this window. */
    recurrence: icsConfigSchema.shape.recurrence,
  },
  formatConfig: (config) => ({
    url: config.url,
    headers: config.headers,
    auth: config.auth,
    encoding: config.encoding,
    timezone: config.timezone,
    recurrence: config.recurrence,
  }),
  mapping: cultureEventsIcsMapping,
});
