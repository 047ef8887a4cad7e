import type { MappingSpec } from '../../src/ingest/mapping/index.js';

const code = [{ op: 'halfWidth' }, { op: 'trim' }] as const;

/**
 * The demo city's districts as they head the school list's groups. A feed for another city
 * gives its own mapping.
 */
export const DISTRICT_CODES = { 吴兴区: '330502', 南浔区: '330503', 德清县: '330521', 湖州市: '330500' };

/** 中小学校名单 (XLSX, MoE list layout): a school → a Service in the school directory. */
export const schoolsMapping: MappingSpec = {
  kind: 'SERVICE',
  constants: { department: 'education', serviceType: '公共服务', categories: ['学校名录'], audience: ['学生', '家长'] },
  fields: [
    { target: 'sourceId', source: '学校标识码', transforms: [...code] },
    { target: 'title', source: '学校名称', transforms: [{ op: 'trim' }] },
    { target: 'implementingAgency', source: '主管部门', transforms: [{ op: 'trim' }] },
    // The district comes from the group-header row above the school (a merged cell in the sheet).
    { target: 'orgUnitCodes', source: '所在区县', transforms: [{ op: 'trim' }, { op: 'lookup', table: DISTRICT_CODES, otherwise: 'keep' }] },
    { target: 'summary', source: '办学层次', transforms: [{ op: 'trim' }, { op: 'template', template: '办学层次：{value}。' }] },
    { target: 'tags[0]', source: '办学层次', transforms: [{ op: 'trim' }] },
    // An empty 备注 means 公办, as in the MoE list.
    { target: 'tags[1]', source: '备注', transforms: [{ op: 'trim' }, { op: 'default', value: '公办' }] },
    { target: 'locations[0].name', source: '学校名称', transforms: [{ op: 'trim' }] },
    { target: 'locations[0].address', source: '学校地址', transforms: [{ op: 'trim' }] },
    { target: 'locations[0].phone', source: '联系电话', transforms: [...code] },
    { target: 'consultPhone', source: '联系电话', transforms: [...code] },
  ],
};

/** 通知公告 RSS: the document number and issuer are lines of the description. */
export const enrolmentNoticesMapping: MappingSpec = {
  kind: 'POLICY',
  constants: { department: 'education', categories: ['招生入学'], audience: ['家长', '学生'] },
  fields: [
    { target: 'title', source: 'title', transforms: [{ op: 'html', output: 'text' }, { op: 'trim' }] },
    { target: 'docNumber', source: 'summary', transforms: [{ op: 'halfWidth' }, { op: 'regex', pattern: '文号[：:]\\s*([^<\\s]+)' }] },
    { target: 'issuers', source: 'summary', transforms: [{ op: 'regex', pattern: '发布机构[：:]\\s*([^<]+)' }, { op: 'split', separators: [' ', '、'] }, { op: 'trim' }] },
    { target: 'publishedAt', source: 'published', transforms: [{ op: 'date' }] },
    { target: 'summary', source: 'summary', transforms: [{ op: 'html', output: 'text' }, { op: 'trim', collapseWhitespace: true }] },
    { target: 'body', source: 'summary', transforms: [{ op: 'html', output: 'sanitized' }] },
    { target: 'tags', source: 'categories' },
    { target: 'sourceUrl', source: 'link' },
  ],
};
