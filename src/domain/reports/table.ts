import type { Document } from 'bson';
import { Types } from 'mongoose';
import type { Models } from '../../db/index.js';
import type { CompiledReport } from './compile.js';
import type { Dimension, Measure } from './spec.js';
import { bucketLabel } from './time.js';

export type ColumnType = 'STRING' | 'INTEGER' | 'FLOAT';
export type Cell = string | number | null;

export interface ReportColumn {
  key: string;
  label: string;
  type: ColumnType;
  role: 'DIMENSION' | 'MEASURE';
}

export interface ReportRow {
  /** The raw group keys (codes, ids as hex, bucket starts as ISO instants), one per dimension. */
  keys: (string | null)[];
  /** Dimension labels, then measure values, in column order. */
  cells: Cell[];
  /** A combination with no data at all (coverage matrices list every unit × department). */
  gap: boolean;
}

export interface ReportTable {
  columns: ReportColumn[];
  rows: ReportRow[];
  /** One value per measure column, over all matching documents (each counted once). */
  totals: Cell[];
  collection: string;
  pipeline: Document[];
}

export const MEASURE_COLUMNS: Record<Measure, { label: string; type: ColumnType }> = {
  RESOURCE_COUNT: { label: '资源数 / Resources', type: 'INTEGER' },
  SERVICE_COUNT: { label: '服务数 / Services', type: 'INTEGER' },
  POLICY_COUNT: { label: '政策数 / Policies', type: 'INTEGER' },
  EVENT_COUNT: { label: '活动数 / Events', type: 'INTEGER' },
  ORG_UNITS_COVERED: { label: '覆盖组织数 / Org units covered', type: 'INTEGER' },
  POLICIES_IN_FORCE: { label: '有效政策数 / Policies in force', type: 'INTEGER' },
  POLICIES_EXPIRING: { label: '即将失效政策数 / Policies expiring soon', type: 'INTEGER' },
  FEED_COUNT: { label: '数据源数 / Feeds', type: 'INTEGER' },
  FEED_LAG_HOURS: { label: '最长未更新小时数 / Hours since last success (worst)', type: 'FLOAT' },
  FAILURE_STREAK: { label: '最长连续失败次数 / Longest failure streak', type: 'INTEGER' },
  SYNC_SUCCESS_RATE: { label: '同步成功率 / Sync success rate', type: 'FLOAT' },
  QUARANTINE_RATE: { label: '隔离率 / Quarantine rate', type: 'FLOAT' },
  STAGE_ENTRIES: { label: '进入审核环节次数 / Stage entries', type: 'INTEGER' },
  BACKLOG: { label: '待审积压 / Backlog', type: 'INTEGER' },
  STAGE_HOURS_AVG: { label: '环节平均用时(小时) / Average hours in stage', type: 'FLOAT' },
  STAGE_HOURS_MAX: { label: '环节最长用时(小时) / Longest hours in stage', type: 'FLOAT' },
};

const DIMENSION_LABELS: Record<Dimension['by'], string> = {
  DEPARTMENT: '部门 / Department',
  KIND: '类型 / Kind',
  CATEGORY: '分类 / Category',
  THEME: '主题 / Theme',
  ISSUER: '发文机关 / Issuer',
  AUDIENCE: '服务对象 / Audience',
  VALIDITY: '时效性 / Validity',
  STATUS: '状态 / Status',
  FEED: '数据源 / Feed',
  ORG_UNIT: '组织 / Org unit',
  TIME: '时间 / Period',
  REVIEW_STAGE: '审核环节 / Review stage',
};

export const NONE_LABEL = '（无）/ (none)';

function dimensionColumn(dim: Dimension): ReportColumn {
  const suffix = dim.by === 'ORG_UNIT' ? ` L${dim.level}` : dim.by === 'TIME' ? ` ${dim.unit}` : '';
  return { key: `${dim.by}${suffix.replace(' ', '_')}`, label: `${DIMENSION_LABELS[dim.by]}${suffix}`, type: 'STRING', role: 'DIMENSION' };
}

export function columnsOf(report: Pick<CompiledReport, 'dimensions' | 'measures'>): ReportColumn[] {
  return [
    ...report.dimensions.map(dimensionColumn),
    ...report.measures.map((measure): ReportColumn => ({ key: measure, ...MEASURE_COLUMNS[measure], role: 'MEASURE' })),
  ];
}

export function rawKey(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Types.ObjectId) return value.toHexString();
  return String(value);
}

/** Names already known by key, per dimension (read for another purpose): only the keys they lack are looked up. */
export type KnownLabels = (ReadonlyMap<string, string> | undefined)[];

/** Names for the grouped keys: one batched lookup per dimension that needs one. */
export async function labelResolver(models: Models, dimensions: Dimension[], keys: (string | null)[][], known: KnownLabels = []): Promise<(index: number, key: string | null) => string> {
  const names = await Promise.all(
    dimensions.map(async (dim, index): Promise<Map<string, string>> => {
      const given = known[index];
      const values = [...new Set(keys.map((row) => row[index]).filter((key): key is string => typeof key === 'string' && !given?.has(key)))];
      const found = values.length === 0 ? new Map<string, string>() : await lookUpLabels(models, dim, values);
      return given ? new Map([...given, ...found]) : found;
    }),
  );
  return (index, key) => {
    if (key === null) return dimensions[index]?.by === 'ORG_UNIT' ? `（上级）/ (above level ${dimensions[index]!.level})` : NONE_LABEL;
    return names[index]?.get(key) ?? key;
  };
}

async function lookUpLabels(models: Models, dim: Dimension, values: string[]): Promise<Map<string, string>> {
  switch (dim.by) {
    case 'DEPARTMENT': {
      const departments = await models.Department.find({ code: { $in: values } }, { code: 1, name: 1 }).lean();
      return new Map(departments.map((dept) => [dept.code, dept.name.zh]));
    }
    case 'ORG_UNIT': {
      const units = await models.OrgUnit.find({ _id: { $in: values.map((id) => new Types.ObjectId(id)) } }, { name: 1 }).lean();
      return new Map(units.map((unit) => [unit._id.toHexString(), unit.name]));
    }
    case 'FEED': {
      const feeds = await models.Resource.db.collection('feeds').find({ _id: { $in: values.map((id) => new Types.ObjectId(id)) } }, { projection: { name: 1 } }).toArray();
      return new Map(feeds.map((feed) => [(feed._id as Types.ObjectId).toHexString(), String(feed.name)]));
    }
    case 'TIME':
      return new Map(values.map((value) => [value, bucketLabel(new Date(value), dim.unit!)]));
    default:
      return new Map();
  }
}

/** Rows ordered by their labels, dimension by dimension (zh collation order is not needed for exports). */
export function sortRows(rows: ReportRow[], dimensionCount: number): ReportRow[] {
  return rows.sort((a, b) => {
    for (let i = 0; i < dimensionCount; i += 1) {
      const left = a.keys[i] ?? '\uffff';
      const right = b.keys[i] ?? '\uffff';
      if (left !== right) return left < right ? -1 : 1;
    }
    return 0;
  });
}
