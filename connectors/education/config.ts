import { z } from 'zod';
import { dataset } from '../department-profile/index.js';
import { rssConnector } from '../rss/index.js';
import { encodingSchema } from '../shared/charset.js';
import { xlsxConnector } from '../xlsx/index.js';
import { enrolmentNoticesMapping, schoolsMapping } from './mapping.js';

/** 中小学校名单: a title row, a header row, and a merged group-header row per district. */
export const schools = dataset({
  id: 'schools',
  title: { zh: '中小学校名单（XLSX）', en: 'School list (XLSX)' },
  format: xlsxConnector,
  options: {
    sheet: z.union([z.string().min(1), z.number().int().min(1)]).default(1),
    headerRow: z.number().int().min(1).default(2),
  },
  formatConfig: (config) => ({
    url: config.url,
    headers: config.headers,
    auth: config.auth,
    sheet: config.sheet,
    headerRow: config.headerRow,
    skipGroupHeaderRows: true,
    groupHeaderColumn: '所在区县',
    idPath: '学校标识码',
  }),
  mapping: schoolsMapping,
});

/** 通知公告 RSS of the education bureau (招生入学 and other notices). */
export const enrolmentNotices = dataset({
  id: 'enrolment-notices',
  title: { zh: '招生入学政策（通知公告 RSS）', en: 'Enrolment policies (notices RSS)' },
  format: rssConnector,
  options: { encoding: encodingSchema },
  formatConfig: (config) => ({ url: config.url, headers: config.headers, auth: config.auth, encoding: config.encoding }),
  mapping: enrolmentNoticesMapping,
});
