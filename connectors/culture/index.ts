import { defineProfile } from '../department-profile/index.js';
import { cultureEventsIcs, cultureEventsRss } from './config.js';

/** 文旅: cultural events announced by venues (文化馆, 图书馆, 博物馆). */
export const cultureConnector = defineProfile({
  id: 'culture',
  title: { zh: '文化广电旅游部门', en: 'Culture and tourism department' },
  department: 'culture',
  datasets: [cultureEventsRss, cultureEventsIcs],
});

export { cultureEventsIcsMapping, cultureEventsRssMapping } from './mapping.js';
