import { Schema, type Connection, type Model, type Types } from 'mongoose';

/** 1 市 city, 2 区/县 district or county, 3 乡镇/街道 township or street, 4 村/社区/机关/企业 grassroots unit. */
export const ORG_LEVELS = [1, 2, 3, 4] as const;
export type OrgLevel = (typeof ORG_LEVELS)[number];

export const ORG_UNIT_KINDS = [
  'CITY', // 市
  'DISTRICT', // 区
  'COUNTY', // 县
  'TOWNSHIP', // 乡镇
  'STREET', // 街道
  'VILLAGE', // 行政村
  'COMMUNITY', // 社区
  'AGENCY', // 机关事业单位
  'ENTERPRISE', // 企业
  'SCHOOL', // 学校
  'OTHER',
] as const;
export type OrgUnitKind = (typeof ORG_UNIT_KINDS)[number];

/**
 * Per level, the units a placement rolls up to there (domain/org orgAnchorsOf): stored beside
 * `orgPaths` so that a report groups by `orgAnchors.l<level>` without joining the org tree.
 */
export type OrgAnchors = Record<`l${OrgLevel}`, Types.ObjectId[]>;

export const orgAnchorsSchema = new Schema<OrgAnchors>(
  Object.fromEntries(ORG_LEVELS.map((level) => [`l${level}`, { type: [Schema.Types.ObjectId], default: [] }])),
  { _id: false },
);

/** 组织: a node of the four-level org tree (city → district → township → grassroots unit). */
export interface OrgUnitDoc {
  _id: Types.ObjectId;
  /** 行政区划代码 or another stable code where none exists (agencies, enterprises). */
  code: string;
  name: string;
  level: OrgLevel;
  kind: OrgUnitKind;
  parentId: Types.ObjectId | null;
  /** Ids from the root down to the parent: subtree queries and roll-ups are one indexed match. */
  ancestors: Types.ObjectId[];
  /** 地址 / 联系电话 of the unit's service centre (党群服务中心), when known. */
  address?: string;
  phone?: string;
  sortOrder: number;
  createdAt: Date;
  updatedAt: Date;
}

export type OrgUnitModel = Model<OrgUnitDoc>;

export const orgUnitSchema = new Schema<OrgUnitDoc>(
  {
    code: { type: String, required: true, trim: true, match: /^[0-9A-Za-z_-]{1,64}$/ },
    name: { type: String, required: true, trim: true },
    level: { type: Number, required: true, enum: ORG_LEVELS },
    kind: { type: String, required: true, enum: ORG_UNIT_KINDS },
    parentId: { type: Schema.Types.ObjectId, ref: 'OrgUnit', default: null },
    ancestors: { type: [{ type: Schema.Types.ObjectId, ref: 'OrgUnit' }], default: [] },
    address: String,
    phone: String,
    sortOrder: { type: Number, default: 0 },
  },
  { collection: 'orgUnits', timestamps: true },
);

orgUnitSchema.index({ code: 1 }, { unique: true });
// children of a unit, in display order
orgUnitSchema.index({ parentId: 1, sortOrder: 1, code: 1 });
// subtree of a unit
orgUnitSchema.index({ ancestors: 1, level: 1 });
orgUnitSchema.index({ level: 1, code: 1 });

export function orgUnitModel(connection: Connection): OrgUnitModel {
  return (connection.models.OrgUnit as OrgUnitModel | undefined) ?? connection.model<OrgUnitDoc>('OrgUnit', orgUnitSchema);
}
