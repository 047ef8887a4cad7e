import { z } from 'zod';
import { dataset } from '../department-profile/index.js';
import { restConnector } from '../rest/index.js';
import { hrssServicesMapping } from './mapping.js';

/** 人社 政务服务事项清单 API: offset/limit paging in a { code, data: { total, rows } } envelope. */
export const hrssServices = dataset({
  id: 'services',
  title: { zh: '人社服务事项（JSON 接口）', en: 'Employment and social-insurance services (JSON API)' },
  format: restConnector,
  options: {
    pageSize: z.number().int().min(1).max(1000).default(100),
  },
  formatConfig: (config) => ({
    url: config.url,
    headers: config.headers,
    auth: config.auth,
    recordsPath: 'data.rows',
    pagination: { type: 'offset', offsetParam: 'offset', limitParam: 'limit', limit: config.pageSize, totalPath: 'data.total' },
    idPath: 'sxbm',
    // 更新时间 is YYYYMMDD, which sorts, so incremental feeds can use it.
    cursorPath: 'gxsj',
  }),
  mapping: hrssServicesMapping,
});
