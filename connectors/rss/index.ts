import type { Connector } from '../contract.js';
import { checkByReading } from '../shared/check.js';
import { rssConfigSchema, type RssConfig } from './config.js';
import { mapRecord } from './mapper.js';
import { readRss } from './reader.js';

export const rssConnector: Connector<RssConfig> = {
  id: 'rss',
  title: { zh: 'RSS/Atom 订阅', en: 'RSS/Atom feed' },
  configSchema: rssConfigSchema,
  check: checkByReading(rssConfigSchema, readRss),
  read: readRss,
  map: mapRecord,
};

export { rssConfigSchema, rssStateSchema } from './config.js';
export type { RssConfig } from './config.js';
export type { FeedItem } from './feed.js';
