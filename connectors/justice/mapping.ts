import type { FieldRule, MappingSpec } from '../../src/ingest/mapping/index.js';

const code = [{ op: 'halfWidth' }, { op: 'trim' }] as const;
/** 密级 column: 涉密 maps to CLASSIFIED, which the sync engine refuses to store. */
const confidentialityFrom = (source: string): FieldRule => ({
  target: 'confidentiality',
  source,
  transforms: [
    { op: 'trim' },
    { op: 'lookup', table: { 公开: 'PUBLIC', 主动公开: 'PUBLIC', 内部: 'INTERNAL', 依申请公开: 'RESTRICTED', 涉密: 'CLASSIFIED' }, otherwise: 'keep' },
    { op: 'default', value: 'PUBLIC' },
  ],
});

/** 公共法律服务站点名录 (CSV): legal-aid stations, mediation committees, public legal service posts. */
export const serviceStationsMapping: MappingSpec = {
  kind: 'SERVICE',
  constants: { department: 'justice', serviceType: '公共服务', isFree: true, complaintPhone: '12348', audience: ['群众'] },
  fields: [
    { target: 'sourceId', source: '站点编号', transforms: [...code] },
    { target: 'title', source: '站点名称', transforms: [{ op: 'trim' }] },
    { target: 'implementingAgency', source: '站点名称', transforms: [{ op: 'trim' }] },
    {
      target: 'categories',
      source: '站点类型',
      transforms: [{ op: 'trim' }, { op: 'lookup', table: { 法律援助工作站: '法律援助', 人民调解委员会: '人民调解', 公共法律服务工作站: '公共法律服务' }, otherwise: 'keep' }],
    },
    { target: 'orgUnitCodes', source: '所属区划代码', transforms: [...code] },
    { target: 'summary', source: '服务内容', transforms: [{ op: 'trim' }, { op: 'template', template: '服务内容：{value}。' }] },
    { target: 'steps', source: '服务内容', transforms: [{ op: 'split' }, { op: 'trim' }] },
    { target: 'locations[0].name', source: '站点名称', transforms: [{ op: 'trim' }] },
    { target: 'locations[0].address', source: '地址', transforms: [{ op: 'trim' }] },
    { target: 'locations[0].hours', source: '值班时间', transforms: [{ op: 'trim' }] },
    { target: 'locations[0].phone', source: '服务电话', transforms: [...code] },
    { target: 'consultPhone', source: '服务电话', transforms: [...code] },
    confidentialityFrom('密级'),
  ],
};

/**
 * 政府信息公开目录 export (XML, pinyin-initial elements): syh 索引号, wjbt 文件标题, fwzh 发文字号,
 * fbjg 发布机构, cwrq 成文日期, fbrq 发布日期, sxx 时效性, fzyj 废止依据 (the replacing
 * document's number), ztfl 主题分类, zw 正文, mj 密级.
 */
export const justicePoliciesMapping: MappingSpec = {
  kind: 'POLICY',
  constants: { department: 'justice', categories: ['司法政策'] },
  fields: [
    { target: 'sourceId', source: 'syh', transforms: [...code] },
    { target: 'indexNumber', source: 'syh', transforms: [...code] },
    { target: 'title', source: 'wjbt', transforms: [{ op: 'html', output: 'text' }, { op: 'trim' }] },
    { target: 'docNumber', source: 'fwzh', transforms: [...code] },
    { target: 'issuers', source: 'fbjg', transforms: [{ op: 'split', separators: [' ', '、'] }] },
    { target: 'writtenAt', source: 'cwrq', transforms: [{ op: 'date' }] },
    { target: 'publishedAt', source: 'fbrq', transforms: [{ op: 'date' }] },
    { target: 'validity', source: 'sxx', transforms: [{ op: 'trim' }, { op: 'lookup', table: { 有效: 'VALID', 失效: 'EXPIRED', 废止: 'REPEALED' }, otherwise: 'reject' }] },
    { target: 'supersededByDocNumber', source: 'fzyj', transforms: [...code] },
    { target: 'theme', source: 'ztfl', transforms: [{ op: 'trim' }] },
    { target: 'tags', source: 'dc:subject', transforms: [{ op: 'split' }, { op: 'trim' }] },
    { target: 'body', source: 'zw', transforms: [{ op: 'html', output: 'sanitized' }] },
    { target: 'sourceUrl', source: 'url', transforms: [{ op: 'trim' }] },
    confidentialityFrom('mj'),
  ],
};
