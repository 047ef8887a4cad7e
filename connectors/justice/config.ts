import { csvConnector } from '../csv/index.js';
import { dataset } from '../department-profile/index.js';
import { encodingSchema } from '../shared/charset.js';
import { xmlConnector } from '../xml/index.js';
import { justicePoliciesMapping, serviceStationsMapping } from './mapping.js';

/** 公共法律服务站点名录: UTF-8 CSV with a BOM, as exported from the department's system. */
export const serviceStations = dataset({
  id: 'service-stations',
  title: { zh: '公共法律服务站点（CSV）', en: 'Legal-aid and mediation stations (CSV)' },
  format: csvConnector,
  options: { encoding: encodingSchema },
  formatConfig: (config) => ({
    url: config.url,
    headers: config.headers,
    auth: config.auth,
    encoding: config.encoding,
    idPath: '站点编号',
  }),
  mapping: serviceStationsMapping,
});

/** 政府信息公开目录 XML export; declared gb2312, really GB18030. */
export const justicePolicies = dataset({
  id: 'policies',
  title: { zh: '司法行政政策文件（信息公开目录 XML）', en: 'Justice policies (open-government XML export)' },
  format: xmlConnector,
  options: { encoding: encodingSchema },
  formatConfig: (config) => ({
    url: config.url,
    headers: config.headers,
    auth: config.auth,
    encoding: config.encoding,
    namespaces: { dc: 'http://purl.org/dc/elements/1.1/' },
    recordPath: 'gkml.record',
    idPath: 'syh',
  }),
  mapping: justicePoliciesMapping,
});
