import type { MappingSpec } from '../../src/ingest/mapping/index.js';

/**
 * 文化馆活动预告 RSS: the event's time and place are written into the description
 * ("活动时间：2026年12月5日 19:30<br/>活动地点：…"), not into fields of their own.
 */
const fromDescription = (label: string, pattern: string) =>
  [{ op: 'regex', pattern: `${label}[：:]\\s*(${pattern})` }, { op: 'trim' }] as const;

export const cultureEventsRssMapping: MappingSpec = {
  kind: 'EVENT',
  constants: { department: 'culture', categories: ['公共文化'], audience: ['群众'] },
  fields: [
    // Some titles arrive entity-escaped twice (&amp;#039;), so entities are decoded again after the XML parse.
    { target: 'title', source: 'title', transforms: [{ op: 'html', output: 'text' }, { op: 'decodeEntities' }, { op: 'trim' }] },
    { target: 'summary', source: 'summary', transforms: [{ op: 'html', output: 'text' }, { op: 'trim', collapseWhitespace: true }] },
    { target: 'body', source: ['content', 'summary'], transforms: [{ op: 'html', output: 'sanitized' }] },
    { target: 'startsAt', source: 'summary', transforms: [...fromDescription('(?:活动|讲座|演出)?时间', '\\d{4}年\\d{1,2}月\\d{1,2}日\\s*(?:\\d{1,2}:\\d{2})?'), { op: 'date' }] },
    { target: 'venue', source: 'summary', transforms: [...fromDescription('(?:活动)?地点', '[^<]+')] },
    { target: 'organizer', source: 'author', transforms: [{ op: 'trim' }] },
    { target: 'tags', source: 'categories', transforms: [{ op: 'trim' }] },
    // Links carry tracking parameters; the page itself is the source.
    { target: 'sourceUrl', source: 'link', transforms: [{ op: 'replace', pattern: '\\?utm_[^#]*$' }] },
  ],
};

/** 图书馆/博物馆 活动日历 (.ics): the calendar's own fields, already unfolded and unescaped. */
export const cultureEventsIcsMapping: MappingSpec = {
  kind: 'EVENT',
  constants: { department: 'culture', categories: ['公共文化'], audience: ['群众'] },
  fields: [
    { target: 'title', source: 'summary', transforms: [{ op: 'trim' }] },
    { target: 'summary', source: 'description', transforms: [{ op: 'trim', collapseWhitespace: true }] },
    { target: 'startsAt', source: 'start', transforms: [{ op: 'date' }] },
    { target: 'endsAt', source: 'end', transforms: [{ op: 'date' }] },
    { target: 'allDay', source: 'allDay' },
    { target: 'venue', source: 'location', transforms: [{ op: 'trim' }] },
    { target: 'organizer', source: 'organizer', transforms: [{ op: 'trim' }] },
    { target: 'tags', source: 'categories' },
    { target: 'sourceUrl', source: 'url' },
  ],
};
