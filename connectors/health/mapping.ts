import type { MappingSpec } from '../../src/ingest/mapping/index.js';

/**
 * Default mappings from the 卫健 department's native field names. Codes pass through
 * halfWidth before anything else: the department's spreadsheets mix full-width digits in.
 */

const code = [{ op: 'halfWidth' }, { op: 'trim' }] as const;
const phone = [{ op: 'halfWidth' }, { op: 'trim' }, { op: 'replace', pattern: '\\s+', replacement: '' }] as const;

/** 密级 column: 涉密 rows map to CLASSIFIED, which the sync engine refuses to store. */
export const CONFIDENTIALITY_LOOKUP = {
  op: 'lookup',
  table: { 公开: 'PUBLIC', 主动公开: 'PUBLIC', 内部: 'INTERNAL', 依申请公开: 'RESTRICTED', 涉密: 'CLASSIFIED' },
  otherwise: 'keep',
} as const;

/** 预防接种门诊一览表 (CSV): one row per vaccination clinic → a Service. */
export const vaccinationSitesMapping: MappingSpec = {
  kind: 'SERVICE',
  constants: {
    department: 'health',
    serviceType: '公共服务',
    categories: ['疫苗接种'],
    audience: ['儿童', '家长', '老年人'],
    complaintPhone: '12320',
    visitsRequired: 1,
  },
  fields: [
    { target: 'sourceId', source: '接种单位编码', transforms: [...code] },
    { target: 'itemCode', source: '接种单位编码', transforms: [...code] },
    { target: 'title', source: '接种门诊名称', transforms: [{ op: 'trim' }] },
    { target: 'implementingAgency', source: '接种门诊名称', transforms: [{ op: 'trim' }, { op: 'replace', pattern: '预防接种门诊$' }] },
    { target: 'orgUnitCodes', source: '行政区划代码', transforms: [...code] },
    { target: 'summary', source: '接种服务', transforms: [{ op: 'trim' }, { op: 'template', template: '提供{value}接种服务，请携带预防接种证。' }] },
    { target: 'tags', source: '接种服务', transforms: [{ op: 'split' }, { op: 'trim' }] },
    { target: 'locations[0].name', source: '接种门诊名称', transforms: [{ op: 'trim' }] },
    { target: 'locations[0].address', source: '门诊地址', transforms: [{ op: 'trim' }] },
    { target: 'locations[0].hours', source: '门诊时间', transforms: [{ op: 'trim' }] },
    { target: 'locations[0].phone', source: '咨询电话', transforms: [...phone] },
    { target: 'consultPhone', source: '咨询电话', transforms: [...phone] },
    { target: 'isFree', source: '是否收费', transforms: [{ op: 'trim' }, { op: 'lookup', table: { 是: false, 否: true }, otherwise: 'drop' }] },
    { target: 'confidentiality', source: '密级', transforms: [{ op: 'trim' }, CONFIDENTIALITY_LOOKUP, { op: 'default', value: 'PUBLIC' }] },
  ],
};

/** 政策文件库 search API (JSON, gov.cn style): one hit per document → a Policy. */
export const healthPoliciesMapping: MappingSpec = {
  kind: 'POLICY',
  constants: { department: 'health', categories: ['卫生健康政策'] },
  fields: [
    { target: 'sourceId', source: 'id', transforms: [{ op: 'string' }] },
    { target: 'title', source: 'title', transforms: [{ op: 'html', output: 'text' }, { op: 'trim' }] },
    { target: 'docNumber', source: 'pcode', transforms: [{ op: 'halfWidth' }, { op: 'trim' }] },
    { target: 'indexNumber', source: 'index', transforms: [{ op: 'trim' }] },
    { target: 'issuers', source: 'puborg', transforms: [{ op: 'split', separators: [' ', '　', '、'] }] },
    { target: 'publishedAt', source: ['pubtimeStr', 'ptime'], transforms: [{ op: 'date' }] },
    { target: 'summary', source: 'summary', transforms: [{ op: 'html', output: 'text' }] },
    { target: 'theme', source: 'childtype', transforms: [{ op: 'replace', pattern: '\\\\', replacement: '/' }] },
    { target: 'sourceUrl', source: 'url' },
  ],
};
