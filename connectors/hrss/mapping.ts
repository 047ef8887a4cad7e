import type { MappingSpec } from '../../src/ingest/mapping/index.js';

/**
 * 人社 政务服务事项 API: pinyin-initial field names, as such APIs have them (sxbm 事项编码,
 * sxmc 事项名称, sxlx 事项类型, ssjg 实施机关, xzqhdm 行政区划代码, sltj 受理条件, sbcl 申报材料,
 * blsx 办理时限, sfsf 是否收费, bldd 办理地点, bgsj 办公时间, zxdh 咨询电话, jddh 监督投诉电话,
 * wsbldz 网上办理地址, gxsj 更新时间, mj 密级).
 */
const halfWidth = [{ op: 'halfWidth' }, { op: 'trim' }] as const;

export const hrssServicesMapping: MappingSpec = {
  kind: 'SERVICE',
  constants: { department: 'hrss', categories: ['就业创业', '社会保障'], tags: ['人社服务'] },
  fields: [
    { target: 'sourceId', source: 'sxbm', transforms: [...halfWidth] },
    { target: 'itemCode', source: 'sxbm', transforms: [...halfWidth] },
    { target: 'title', source: 'sxmc', transforms: [{ op: 'trim' }] },
    { target: 'serviceType', source: 'sxlx', transforms: [{ op: 'trim' }] },
    { target: 'implementingAgency', source: 'ssjg', transforms: [{ op: 'trim' }] },
    { target: 'orgUnitCodes', source: 'xzqhdm', transforms: [...halfWidth] },
    { target: 'conditions', source: 'sltj', transforms: [{ op: 'split' }, { op: 'trim' }] },
    { target: 'materials', source: 'sbcl', transforms: [{ op: 'split' }, { op: 'trim' }] },
    // 即办 (on the spot) is 0 working days; "15个工作日" is 15.
    { target: 'timeLimitDays', source: 'blsx', transforms: [{ op: 'halfWidth' }, { op: 'replace', pattern: '^即办$', replacement: '0' }, { op: 'regex', pattern: '(\\d+)' }, { op: 'number', integer: true }] },
    { target: 'isFree', source: 'sfsf', transforms: [{ op: 'trim' }, { op: 'lookup', table: { 是: false, 否: true }, otherwise: 'drop' }] },
    { target: 'locations[0].address', source: 'bldd', transforms: [{ op: 'trim' }] },
    { target: 'locations[0].hours', source: 'bgsj', transforms: [{ op: 'trim' }] },
    { target: 'locations[0].phone', source: 'zxdh', transforms: [...halfWidth] },
    { target: 'consultPhone', source: 'zxdh', transforms: [...halfWidth] },
    { target: 'complaintPhone', source: 'jddh', transforms: [...halfWidth] },
    { target: 'onlineUrl', source: 'wsbldz', transforms: [{ op: 'trim' }] },
    {
      target: 'confidentiality',
      source: 'mj',
      transforms: [{ op: 'trim' }, { op: 'lookup', table: { 公开: 'PUBLIC', 内部: 'INTERNAL', 涉密: 'CLASSIFIED' }, otherwise: 'keep' }, { op: 'default', value: 'PUBLIC' }],
    },
  ],
};
