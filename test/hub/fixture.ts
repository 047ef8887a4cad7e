import { Types } from 'mongoose';
import type { Models, OrgUnitDoc, OrgUnitKind, OrgLevel } from '../../src/db/index.js';
import { placementOf } from '../../src/domain/org/index.js';

/**
 * A small catalogue with known answers for every filter and scope:
 *
 *   C 330500 city
 *   ├─ D1 330502 district ── T1 330502001 township ─┬─ V1 330502001201 village
 *   │                                                 └─ V2 330502001001 community
 *   └─ D2 330503 district ── T2 330503100 township ─── V3 330503100201 village
 */
export const UNIT_CODES = {
  C: '330500',
  D1: '330502',
  D2: '330503',
  T1: '330502001',
  T2: '330503100',
  V1: '330502001201',
  V2: '330502001001',
  V3: '330503100201',
} as const;
export type UnitKey = keyof typeof UNIT_CODES;

const TREE: { key: UnitKey; parent?: UnitKey; level: OrgLevel; kind: OrgUnitKind; name: string }[] = [
  { key: 'C', level: 1, kind: 'CITY', name: '湖州市' },
  { key: 'D1', parent: 'C', level: 2, kind: 'DISTRICT', name: '吴兴区' },
  { key: 'D2', parent: 'C', level: 2, kind: 'DISTRICT', name: '南浔区' },
  { key: 'T1', parent: 'D1', level: 3, kind: 'STREET', name: '月河街道' },
  { key: 'T2', parent: 'D2', level: 3, kind: 'TOWNSHIP', name: '南浔镇' },
  { key: 'V1', parent: 'T1', level: 4, kind: 'VILLAGE', name: '杨家埠村' },
  { key: 'V2', parent: 'T1', level: 4, kind: 'COMMUNITY', name: '月河社区' },
  { key: 'V3', parent: 'T2', level: 4, kind: 'VILLAGE', name: '息塘村' },
];

export async function insertOrgTree(models: Models): Promise<Record<UnitKey, OrgUnitDoc>> {
  const units = {} as Record<UnitKey, OrgUnitDoc>;
  for (const [index, node] of TREE.entries()) {
    const parent = node.parent ? units[node.parent] : undefined;
    const created = await models.OrgUnit.create({
      code: UNIT_CODES[node.key],
      name: node.name,
      level: node.level,
      kind: node.kind,
      parentId: parent?._id ?? null,
      ancestors: parent ? [...parent.ancestors, parent._id] : [],
      sortOrder: index,
    });
    units[node.key] = created.toObject() as OrgUnitDoc;
  }
  return units;
}

export async function insertDepartments(models: Models): Promise<void> {
  await models.Department.insertMany([
    { code: 'health', name: { zh: '卫生健康', en: 'Health' }, sortOrder: 1 },
    { code: 'education', name: { zh: '教育', en: 'Education' }, sortOrder: 2 },
    { code: 'culture', name: { zh: '文化旅游', en: 'Culture and Tourism' }, sortOrder: 3 },
  ]);
}

const feedId = new Types.ObjectId();

function provenance(sourceId: string) {
  return [{ feedId, sourceId, fetchedAt: new Date('2025-01-01T00:00:00Z'), contentHash: `hash-${sourceId}` }];
}

/** Titles of the visible fixture resources, by key. Hidden ones (P5, P6, E3) never appear. */
export const VISIBLE = ['P1', 'P2', 'P3', 'P4', 'S1', 'S2', 'S3', 'S4', 'E1', 'E2'] as const;

export const DOC = {
  P1: '湖卫发〔2024〕1号',
  P2: '吴卫发〔2020〕3号',
  P3: '吴教发〔2019〕8号',
  P4: '杨村〔2029〕1号',
  P5: '湖卫发〔2024〕9号',
} as const;

/** Inserts the fixture catalogue; titles are the keys (P1, S2, …) so assertions read plainly. */
export async function insertCatalogue(models: Models, units: Record<UnitKey, OrgUnitDoc>): Promise<void> {
  const at = (...keys: UnitKey[]) => placementOf(keys.map((key) => units[key]));
  const common = (key: string, department: string, place: UnitKey[]) => ({
    title: key,
    summary: `${key} 摘要`,
    department,
    ...at(...place),
    status: 'PUBLISHED',
    confidentiality: 'PUBLIC',
    provenance: provenance(key),
  });
  await models.Policy.create([
    {
      ...common('P1', 'health', ['C']),
      docNumber: DOC.P1,
      issuers: ['湖州市卫生健康委员会'],
      validity: 'VALID',
      theme: '卫生',
      categories: ['医疗'],
      tags: ['医保', '报销'],
      audience: ['老年人'],
      publishedAt: new Date('2024-01-10T00:00:00Z'),
      effectiveFrom: new Date('2024-02-01T00:00:00Z'),
      relatedServiceItemCodes: ['S-001'],
    },
    {
      ...common('P2', 'health', ['D1']),
      docNumber: DOC.P2,
      issuers: ['吴兴区卫生健康局'],
      validity: 'EXPIRED',
      theme: '卫生',
      categories: ['医疗'],
      publishedAt: new Date('2020-03-01T00:00:00Z'),
      effectiveFrom: new Date('2020-04-01T00:00:00Z'),
      effectiveTo: new Date('2024-02-01T00:00:00Z'),
      supersededByDocNumber: DOC.P1,
    },
    {
      ...common('P3', 'education', ['T1']),
      docNumber: DOC.P3,
      validity: 'REPEALED',
      theme: '教育',
      categories: ['教育'],
      publishedAt: new Date('2019-09-01T00:00:00Z'),
    },
    {
      ...common('P4', 'education', ['V1']),
      docNumber: DOC.P4,
      validity: 'VALID',
      theme: '教育',
      categories: ['教育'],
      audience: ['学生'],
      publishedAt: new Date('2029-06-01T00:00:00Z'),
      effectiveFrom: new Date('2030-01-01T00:00:00Z'),
    },
    // hidden: pending review, and internal
    { ...common('P5', 'health', ['C']), docNumber: DOC.P5, status: 'PENDING', categories: ['医疗'] },
    { ...common('P6', 'health', ['C']), confidentiality: 'INTERNAL', categories: ['医疗'] },
  ]);
  await models.Service.create([
    {
      ...common('S1', 'health', ['T1']),
      itemCode: 'S-001',
      legalBasisDocNumbers: [DOC.P1, DOC.P5],
      categories: ['医疗'],
      tags: ['医保'],
      audience: ['老年人'],
      timeLimitDays: 5,
      locations: [{ name: '月河街道便民服务中心', address: '湖州市吴兴区月河街道1号', phone: '0572-1234567' }],
    },
    { ...common('S2', 'education', ['V1']), itemCode: 'S-002', legalBasisDocNumbers: ['不存在〔2000〕1号'], categories: ['教育'], audience: ['学生'] },
    { ...common('S3', 'culture', ['D2']), itemCode: 'S-003', categories: ['文化'], tags: ['图书馆'] },
    { ...common('S4', 'health', ['V3']), itemCode: 'S-004', legalBasisDocNumbers: [DOC.P2], categories: ['医疗', '养老'] },
  ]);
  await models.Event.create([
    { ...common('E1', 'culture', ['V2']), startsAt: new Date('2025-06-01T01:00:00Z'), venue: '月河社区文化家园', categories: ['文化'], tags: ['图书馆'] },
    { ...common('E2', 'culture', ['T2']), startsAt: new Date('2025-07-01T01:00:00Z'), venue: '南浔镇文化站', categories: ['文化'] },
    { ...common('E3', 'culture', ['C']), startsAt: new Date('2025-05-01T01:00:00Z'), status: 'WITHDRAWN', categories: ['文化'] },
  ]);
}
