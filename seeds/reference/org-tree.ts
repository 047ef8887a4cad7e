import type { OrgLevel, OrgUnitKind } from '../../src/db/models/org-unit.js';
import { uscc } from '../uscc.js';

/**
 * The demo four-level org tree: 湖州市 (a prefecture-level city in Zhejiang), three of its
 * districts/counties, two townships/streets in each, and four grassroots units under each.
 *
 * Codes follow 国家统计局 统计用区划代码: the city's and the districts' 6-digit codes are the
 * real ones; townships/streets extend them to 9 digits (0xx streets 街道, 1xx towns 镇, kind TOWNSHIP) and
 * villages/communities to 12 digits (0xx communities 社区居委会, 2xx villages 村委会), so a unit's
 * code starts with its parent's. The township and village codes and the names below the
 * district level are illustrative. Agencies and enterprises have no division code; they carry
 * their 统一社会信用代码 (11… for 机关, 91… for 企业).
 */


export interface OrgNode {
  code: string;
  name: string;
  /** Short form used in document numbers (湖 for 湖州市, 吴 for 吴兴区). */
  abbr?: string;
  /** The government portal of a city or district, where its documents are published. */
  website?: string;
  kind: OrgUnitKind;
  address: string;
  geo: { lng: number; lat: number };
  children?: OrgNode[];
}

export interface SeedOrgUnit {
  code: string;
  name: string;
  abbr?: string;
  website?: string;
  kind: OrgUnitKind;
  level: OrgLevel;
  parentCode: string | null;
  /** Codes from the root down to the parent (empty for the root). */
  ancestorCodes: string[];
  address: string;
  geo: { lng: number; lat: number };
}

const agency = (division: string, orgCode9: string): string => uscc(`11${division}${orgCode9}`);
const enterprise = (division: string, orgCode9: string): string => uscc(`91${division}${orgCode9}`);

export const ORG_TREE: OrgNode = {
  code: '330500',
  name: '湖州市',
  abbr: '湖',
  website: 'https://www.huzhou.gov.cn',
  kind: 'CITY',
  address: '浙江省湖州市吴兴区行政中心1号楼',
  geo: { lng: 120.0868, lat: 30.8941 },
  children: [
    {
      code: '330502',
      name: '吴兴区',
      abbr: '吴',
      website: 'https://www.wuxing.gov.cn',
      kind: 'DISTRICT',
      address: '湖州市吴兴区区府路1188号',
      geo: { lng: 120.1855, lat: 30.8573 },
      children: [
        {
          code: '330502002',
          name: '朝阳街道',
          kind: 'STREET',
          address: '湖州市吴兴区红旗路188号',
          geo: { lng: 120.0972, lat: 30.8693 },
          children: [
            { code: '330502002001', name: '红门馆社区', kind: 'COMMUNITY', address: '湖州市吴兴区红门馆前街36号', geo: { lng: 120.0951, lat: 30.8712 } },
            { code: '330502002002', name: '潮音桥社区', kind: 'COMMUNITY', address: '湖州市吴兴区潮音桥路15号', geo: { lng: 120.1003, lat: 30.8668 } },
            { code: agency('330502', 'MB1A2730X'), name: '吴兴区市场监督管理局朝阳所', kind: 'AGENCY', address: '湖州市吴兴区劳动路520号', geo: { lng: 120.0987, lat: 30.8651 } },
            { code: enterprise('330502', 'MA2D4X8T1'), name: '湖州丝韵织造有限公司', kind: 'ENTERPRISE', address: '湖州市吴兴区凤凰路1009号', geo: { lng: 120.0911, lat: 30.8629 } },
          ],
        },
        {
          code: '330502100',
          name: '织里镇',
          kind: 'TOWNSHIP',
          address: '湖州市吴兴区织里镇珍贝路1号',
          geo: { lng: 120.2663, lat: 30.8327 },
          children: [
            { code: '330502100003', name: '织里社区', kind: 'COMMUNITY', address: '湖州市吴兴区织里镇大港路228号', geo: { lng: 120.2691, lat: 30.8342 } },
            { code: '330502100201', name: '秦家港村', kind: 'VILLAGE', address: '湖州市吴兴区织里镇秦家港村村委会', geo: { lng: 120.2512, lat: 30.8455 } },
            { code: '330502100202', name: '伍浦村', kind: 'VILLAGE', address: '湖州市吴兴区织里镇伍浦村文化礼堂旁', geo: { lng: 120.2804, lat: 30.8231 } },
            { code: enterprise('330502', 'MA28C6J04'), name: '浙江织里童装产业园有限公司', kind: 'ENTERPRISE', address: '湖州市吴兴区织里镇栋梁路2688号', geo: { lng: 120.2745, lat: 30.8297 } },
          ],
        },
      ],
    },
    {
      code: '330503',
      name: '南浔区',
      abbr: '浔',
      website: 'https://www.nanxun.gov.cn',
      kind: 'DISTRICT',
      address: '湖州市南浔区人瑞路1号',
      geo: { lng: 120.4183, lat: 30.8500 },
      children: [
        {
          code: '330503100',
          name: '南浔镇',
          kind: 'TOWNSHIP',
          address: '湖州市南浔区南浔镇适园路1号',
          geo: { lng: 120.4321, lat: 30.8766 },
          children: [
            { code: '330503100001', name: '东大街社区', kind: 'COMMUNITY', address: '湖州市南浔区南浔镇东大街112号', geo: { lng: 120.4362, lat: 30.8791 } },
            { code: '330503100204', name: '沈庄漾村', kind: 'VILLAGE', address: '湖州市南浔区南浔镇沈庄漾村村委会', geo: { lng: 120.4102, lat: 30.8913 } },
            { code: '330503100211', name: '息塘村', kind: 'VILLAGE', address: '湖州市南浔区南浔镇息塘村文化礼堂', geo: { lng: 120.4487, lat: 30.8634 } },
            { code: agency('330503', '002587934'), name: '南浔区南浔镇人民政府机关', kind: 'AGENCY', address: '湖州市南浔区南浔镇适园路1号', geo: { lng: 120.4321, lat: 30.8766 } },
          ],
        },
        {
          code: '330503101',
          name: '双林镇',
          kind: 'TOWNSHIP',
          address: '湖州市南浔区双林镇双林路88号',
          geo: { lng: 120.3352, lat: 30.7771 },
          children: [
            { code: '330503101002', name: '双林社区', kind: 'COMMUNITY', address: '湖州市南浔区双林镇东横街18号', geo: { lng: 120.3381, lat: 30.7785 } },
            { code: '330503101206', name: '向阳村', kind: 'VILLAGE', address: '湖州市南浔区双林镇向阳村村委会', geo: { lng: 120.3214, lat: 30.7862 } },
            { code: '330503101215', name: '三田漾村', kind: 'VILLAGE', address: '湖州市南浔区双林镇三田漾村村委会', geo: { lng: 120.3506, lat: 30.7649 } },
            { code: enterprise('330503', 'MA2B1RQ57'), name: '湖州双林绫绢有限公司', kind: 'ENTERPRISE', address: '湖州市南浔区双林镇绫绢路66号', geo: { lng: 120.3417, lat: 30.7733 } },
          ],
        },
      ],
    },
    {
      code: '330521',
      name: '德清县',
      abbr: '德',
      website: 'https://www.deqing.gov.cn',
      kind: 'COUNTY',
      address: '湖州市德清县武康街道千秋街1号',
      geo: { lng: 119.9776, lat: 30.5425 },
      children: [
        {
          code: '330521001',
          name: '武康街道',
          kind: 'STREET',
          address: '湖州市德清县武康街道永安街56号',
          geo: { lng: 119.9698, lat: 30.5397 },
          children: [
            { code: '330521001004', name: '城北社区', kind: 'COMMUNITY', address: '湖州市德清县武康街道北湖街68号', geo: { lng: 119.9731, lat: 30.5512 } },
            { code: '330521001007', name: '永平社区', kind: 'COMMUNITY', address: '湖州市德清县武康街道永平路22号', geo: { lng: 119.9652, lat: 30.5348 } },
            { code: agency('330521', '002640275'), name: '德清县司法局武康司法所', kind: 'AGENCY', address: '湖州市德清县武康街道英溪南路99号', geo: { lng: 119.9687, lat: 30.5366 } },
            { code: enterprise('330521', '7042658XK'), name: '德清地信科技股份有限公司', kind: 'ENTERPRISE', address: '湖州市德清县武康街道地理信息小镇科技大道1号', geo: { lng: 119.9882, lat: 30.5291 } },
          ],
        },
        {
          code: '330521105',
          name: '莫干山镇',
          kind: 'TOWNSHIP',
          address: '湖州市德清县莫干山镇庾村集镇1号',
          geo: { lng: 119.9129, lat: 30.5974 },
          children: [
            { code: '330521105201', name: '仙潭村', kind: 'VILLAGE', address: '湖州市德清县莫干山镇仙潭村村委会', geo: { lng: 119.8832, lat: 30.6213 } },
            { code: '330521105203', name: '劳岭村', kind: 'VILLAGE', address: '湖州市德清县莫干山镇劳岭村村委会', geo: { lng: 119.8967, lat: 30.5892 } },
            { code: '330521105207', name: '燎原村', kind: 'VILLAGE', address: '湖州市德清县莫干山镇燎原村文化礼堂', geo: { lng: 119.9245, lat: 30.6058 } },
            { code: '330521105002', name: '庾村社区', kind: 'COMMUNITY', address: '湖州市德清县莫干山镇黄郛东路8号', geo: { lng: 119.9138, lat: 30.5981 } },
          ],
        },
      ],
    },
  ],
};

/** The tree flattened parents-first, each unit with its level, parent and ancestors. */
export function flattenOrgTree(root: OrgNode = ORG_TREE): SeedOrgUnit[] {
  const units: SeedOrgUnit[] = [];
  const visit = (node: OrgNode, ancestorCodes: string[]): void => {
    const level = (ancestorCodes.length + 1) as OrgLevel;
    const { children, ...fields } = node;
    units.push({ ...fields, level, parentCode: ancestorCodes.at(-1) ?? null, ancestorCodes });
    for (const child of children ?? []) visit(child, [...ancestorCodes, node.code]);
  };
  visit(root, []);
  return units;
}

export const SEED_ORG_UNITS: readonly SeedOrgUnit[] = flattenOrgTree();
