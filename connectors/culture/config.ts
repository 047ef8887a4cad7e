import { dataset } from '../department-profile/index.js';
import { rssConnector } from '../rss/index.js';
import { encodingSchema } from '../shared/charset.js';
import { cultureEventsRssMapping } from './mapping.js';

/** 文化馆/图书馆 活动预告 RSS. */
export const cultureEventsRss = dataset({
  id: 'events-rss',
  title: { zh: '文化活动预告（RSS）', en: 'Cultural events (RSS)' },
  format: rssConnector,
  options: { encoding: encodingSchema },
  formatConfig: (config) => ({ url: config.url, headers: config.headers, auth: config.auth, encoding: config.encoding }),
  mapping: cultureEventsRssMapping,
});
