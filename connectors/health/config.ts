import { z } from 'zod';
import { csvConnector } from '../csv/index.js';
import { dataset } from '../department-profile/index.js';
import { restConnector } from '../rest/index.js';
import { encodingSchema } from '../shared/charset.js';
import { healthPoliciesMapping, vaccinationSitesMapping } from './mapping.js';

/** 预防接种门诊一览表: a GB18030 CSV with a title row above the header. */
export const vaccinationSites = dataset({
  id: 'vaccination-sites',
  title: { zh: '预防接种门诊一览表（CSV）', en: 'Vaccination clinics (CSV)' },
  format: csvConnector,
  options: {
    encoding: encodingSchema.default('gb18030'),
    /** The sheet's title row sits above the header. */
    headerRow: z.number().int().min(1).default(2),
  },
  formatConfig: (config) => ({
    url: config.url,
    headers: config.headers,
    auth: config.auth,
    encoding: config.encoding,
    headerRow: config.headerRow,
    // No cursor: 信息更新日期 is written 2026年10月8日, which does not sort as text.
    idPath: '接种单位编码',
    skipRowsWhere: [{ column: '序号', pattern: '^(合计|备注|注)' }],
  }),
  mapping: vaccinationSitesMapping,
});

/** 政策文件库 search API, paged with p (1-based) and n, hits grouped by category. */
export const healthPolicies = dataset({
  id: 'policies',
  title: { zh: '卫生健康政策文件（JSON 接口）', en: 'Health policies (JSON API)' },
  format: restConnector,
  options: {
    pageSize: z.number().int().min(1).max(1000).default(20),
  },
  formatConfig: (config) => ({
    url: config.url,
    headers: config.headers,
    auth: config.auth,
    recordsPath: ['searchVO.catMap.gongwen.listVO', 'searchVO.catMap.bumenfile.listVO'],
    pagination: { type: 'page', pageParam: 'p', sizeParam: 'n', pageSize: config.pageSize, firstPage: 1 },
    idPath: 'id',
  }),
  mapping: healthPoliciesMapping,
});
