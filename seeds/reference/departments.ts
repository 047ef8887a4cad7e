import { uscc } from '../uscc.js';

/**
 * The departments whose data the hub gathers. The first five have connector profiles
 * (connectors/<code>); the rest exist as data only, which is how further departments join.
 */
export interface SeedDepartment {
  code: string;
  name: { zh: string; en: string };
  /** The city-level bureau that issues documents and runs services. */
  agency: string;
  /** The district/county bureau's name after the district's (吴兴区 + 卫生健康局). */
  districtAgency: string;
  /** Short form in document numbers: 湖卫健发〔2023〕5号. */
  docAbbr: string;
  /** The bureau's 统一社会信用代码, the first part of its 索引号. */
  uscc: string;
  contact: { phone: string; address: string; email: string; website: string };
}

export const SEED_DEPARTMENTS: readonly SeedDepartment[] = [
  {
    code: 'health',
    name: { zh: '卫生健康', en: 'Health' },
    agency: '湖州市卫生健康委员会',
    districtAgency: '卫生健康局',
    docAbbr: '卫健',
    uscc: uscc('11330500002606841'),
    contact: { phone: '0572-2398216', address: '湖州市吴兴区仁皇山路666号', email: 'wjw@huzhou.gov.cn', website: 'https://wjw.huzhou.gov.cn' },
  },
  {
    code: 'education',
    name: { zh: '教育', en: 'Education' },
    agency: '湖州市教育局',
    districtAgency: '教育局',
    docAbbr: '教',
    uscc: uscc('11330500002606729'),
    contact: { phone: '0572-2398551', address: '湖州市吴兴区苕溪东路1号', email: 'jyj@huzhou.gov.cn', website: 'https://jyj.huzhou.gov.cn' },
  },
  {
    code: 'culture',
    name: { zh: '文化广电旅游', en: 'Culture, Radio, TV and Tourism' },
    agency: '湖州市文化广电旅游局',
    districtAgency: '文化和广电旅游体育局',
    docAbbr: '文旅',
    uscc: uscc('11330500MB1703453'),
    contact: { phone: '0572-2398735', address: '湖州市吴兴区仁皇山路1号', email: 'wgl@huzhou.gov.cn', website: 'https://wgl.huzhou.gov.cn' },
  },
  {
    code: 'justice',
    name: { zh: '司法行政', en: 'Justice' },
    agency: '湖州市司法局',
    districtAgency: '司法局',
    docAbbr: '司',
    uscc: uscc('11330500002606673'),
    contact: { phone: '0572-2398106', address: '湖州市吴兴区衣裳街88号', email: 'sfj@huzhou.gov.cn', website: 'https://sfj.huzhou.gov.cn' },
  },
  {
    code: 'hrss',
    name: { zh: '人力资源和社会保障', en: 'Human Resources and Social Security' },
    agency: '湖州市人力资源和社会保障局',
    districtAgency: '人力资源和社会保障局',
    docAbbr: '人社',
    uscc: uscc('11330500002606622'),
    contact: { phone: '0572-2398930', address: '湖州市吴兴区青铜路99号', email: 'rsj@huzhou.gov.cn', website: 'https://rsj.huzhou.gov.cn' },
  },
  {
    code: 'civil-affairs',
    name: { zh: '民政', en: 'Civil Affairs' },
    agency: '湖州市民政局',
    districtAgency: '民政局',
    docAbbr: '民',
    uscc: uscc('11330500002606593'),
    contact: { phone: '0572-2398370', address: '湖州市吴兴区环城西路278号', email: 'mzj@huzhou.gov.cn', website: 'https://mzj.huzhou.gov.cn' },
  },
  {
    code: 'medical-security',
    name: { zh: '医疗保障', en: 'Medical Security' },
    agency: '湖州市医疗保障局',
    districtAgency: '医疗保障分局',
    docAbbr: '医保',
    uscc: uscc('11330500MB1685720'),
    contact: { phone: '0572-2398620', address: '湖州市吴兴区青铜路99号', email: 'ybj@huzhou.gov.cn', website: 'https://ybj.huzhou.gov.cn' },
  },
];

export function departmentByCode(code: string): SeedDepartment {
  const department = SEED_DEPARTMENTS.find((d) => d.code === code);
  if (!department) throw new Error(`未知部门 / Unknown department: ${code}`);
  return department;
}
