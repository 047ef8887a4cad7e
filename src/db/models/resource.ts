import { Schema, type Connection, type Model, type Types } from 'mongoose';
import {
  POLICY_VALIDITY,
  STORABLE_CONFIDENTIALITY,
  type PolicyValidity,
} from '../../domain/catalog/normalized-record.js';
import { orgAnchorsSchema, type OrgAnchors, type OrgLevel } from './org-unit.js';

/** Discriminator values of the `kind` key, the same strings as NormalizedRecord['kind']. */
export const RESOURCE_KIND_VALUES = { Service: 'SERVICE', Policy: 'POLICY', Event: 'EVENT' } as const;

/** 审核状态: DRAFT 草稿, PENDING 待审, PUBLISHED 已发布, REJECTED 已退回, WITHDRAWN 已撤回. */
export const RESOURCE_STATUSES = ['DRAFT', 'PENDING', 'PUBLISHED', 'REJECTED', 'WITHDRAWN'] as const;
export type ResourceStatus = (typeof RESOURCE_STATUSES)[number];

/** 密级 that may be stored. CLASSIFIED (涉密) never is: the schema refuses it. */
export type StoredConfidentiality = (typeof STORABLE_CONFIDENTIALITY)[number];

/** 来源: where one copy of the resource came from. A policy republished by several feeds has several. */
export interface Provenance {
  feedId: Types.ObjectId;
  /** The record's key at its source. */
  sourceId: string;
  runId?: Types.ObjectId;
  fetchedAt: Date;
  sourceUrl?: string;
  /** Hash of the normalized record; an unchanged hash means no write. */
  contentHash: string;
  /** When this copy's content last changed (precedence between copies: the most recent wins). */
  changedAt?: Date;
  /** When this copy's feed stopped carrying it; the resource stays while another copy is carried. */
  droppedAt?: Date;
  /** The copy comes from a feed of the policy's issuing department (it takes precedence). */
  issuerCopy?: boolean;
}

export interface ResourceBase {
  _id: Types.ObjectId;
  kind: 'SERVICE' | 'POLICY' | 'EVENT';
  title: string; // 标题
  summary?: string; // 摘要
  /** 正文, sanitized HTML. */
  body?: string;
  /** Department code (部门), see DepartmentDoc.code. */
  department: string;
  /** The org units the resource is attached to (适用范围); it applies to their subtrees too. */
  orgUnits: Types.ObjectId[];
  /**
   * Every attached unit plus all of its ancestors. SUBTREE(u) is `orgPaths: u`, a single
   * indexed match. Maintained by domain/org placeResource().
   */
  orgPaths: Types.ObjectId[];
  /** Distinct levels of the attached units, for the org-level facet. */
  orgLevels: OrgLevel[];
  /** Per level, the units the attached ones roll up to (reports group by it). Absent until back-filled (ensureOrgAnchors). */
  orgAnchors?: OrgAnchors;
  categories: string[]; // 分类
  tags: string[]; // 标签
  audience: string[]; // 服务对象
  confidentiality: StoredConfidentiality; // 密级 / 公开属性
  status: ResourceStatus;
  sourceUrl?: string; // 原文链接
  provenance: Provenance[];
  /** Search tokens (CJK bigrams, Latin/number tokens), computed by src/search on every write. */
  searchTerms: string[];
  /** Incremented on every content change. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

/** 服务地点 */
export interface ServiceLocation {
  name?: string;
  address?: string; // 办理地点
  hours?: string; // 办公时间
  phone?: string;
  geo?: { lng: number; lat: number };
}

/** 政务服务事项 / 民生服务 */
export interface ServiceDoc extends ResourceBase {
  kind: 'SERVICE';
  itemCode?: string; // 事项编码
  serviceType?: string; // 事项类型 (行政许可, 公共服务, …)
  implementingAgency?: string; // 实施机关
  /** 设定依据: 发文字号 of the policies this service rests on. Linked by number, not id. */
  legalBasisDocNumbers: string[];
  conditions: string[]; // 受理条件
  materials: string[]; // 申报材料
  steps: string[]; // 办理流程
  timeLimitDays?: number; // 办理时限 (工作日)
  fee?: string; // 收费标准
  isFree?: boolean; // 是否收费
  locations: ServiceLocation[];
  onlineUrl?: string; // 网上办理地址
  consultPhone?: string; // 咨询电话
  complaintPhone?: string; // 投诉电话
  visitsRequired?: number; // 到现场次数
}

export interface PolicyAttachment {
  title: string;
  url: string;
}

export interface PolicyInterpretation {
  title: string;
  url?: string;
}

/** 政策文件 */
export interface PolicyDoc extends ResourceBase {
  kind: 'POLICY';
  docNumber?: string; // 发文字号, e.g. 国办发〔2024〕12号
  /** Identity across feeds (src/ingest/merge): `doc:` canonical 发文字号, `url:` canonical page. */
  mergeKeys?: string[];
  /**
   * The merge keys this resource was created under, unique across resources (a unique index):
   * two feeds inserting the same new policy at once cannot both succeed. Set once, at insert.
   */
  mergeClaims?: string[];
  indexNumber?: string; // 索引号
  issuers: string[]; // 发文机关
  writtenAt?: Date; // 成文日期
  publishedAt?: Date; // 发布日期
  effectiveFrom?: Date; // 施行日期
  effectiveTo?: Date; // 失效日期
  validity: PolicyValidity; // 时效性: 有效 / 失效 / 废止
  theme?: string; // 主题分类
  attachments: PolicyAttachment[]; // 附件
  interpretations: PolicyInterpretation[]; // 政策解读
  supersededByDocNumber?: string; // 被…替代 (发文字号)
  relatedServiceItemCodes: string[]; // 相关服务事项 (事项编码)
}

/** 活动 (文化活动, 党建活动, …) */
export interface EventDoc extends ResourceBase {
  kind: 'EVENT';
  startsAt: Date; // 开始时间
  endsAt?: Date; // 结束时间
  allDay: boolean;
  venue?: string; // 活动地点
  organizer?: string; // 主办单位
  capacity?: number; // 名额
  registrationUrl?: string; // 报名地址
}

export type ResourceDoc = ServiceDoc | PolicyDoc | EventDoc;

export type ResourceModel = Model<ResourceBase>;
export type ServiceModel = Model<ServiceDoc>;
export type PolicyModel = Model<PolicyDoc>;
export type EventModel = Model<EventDoc>;

const provenanceSchema = new Schema<Provenance>(
  {
    feedId: { type: Schema.Types.ObjectId, required: true },
    sourceId: { type: String, required: true },
    runId: { type: Schema.Types.ObjectId },
    fetchedAt: { type: Date, required: true },
    sourceUrl: String,
    contentHash: { type: String, required: true },
    changedAt: Date,
    droppedAt: Date,
    issuerCopy: Boolean,
  },
  { _id: false },
);

const stringList = { type: [String], default: [] };

export const resourceSchema = new Schema<ResourceBase>(
  {
    title: { type: String, required: true, trim: true, maxlength: 500 },
    summary: String,
    body: String,
    department: { type: String, required: true, trim: true, lowercase: true },
    orgUnits: { type: [{ type: Schema.Types.ObjectId, ref: 'OrgUnit' }], default: [] },
    orgPaths: { type: [{ type: Schema.Types.ObjectId, ref: 'OrgUnit' }], default: [] },
    orgLevels: { type: [Number], default: [] },
    orgAnchors: { type: orgAnchorsSchema, default: undefined },
    categories: stringList,
    tags: stringList,
    audience: stringList,
    confidentiality: { type: String, required: true, enum: STORABLE_CONFIDENTIALITY, default: 'PUBLIC' },
    status: { type: String, required: true, enum: RESOURCE_STATUSES, default: 'DRAFT' },
    sourceUrl: String,
    provenance: { type: [provenanceSchema], default: [] },
    searchTerms: stringList,
    version: { type: Number, required: true, default: 1, min: 1 },
  },
  { collection: 'resources', discriminatorKey: 'kind', timestamps: true },
);

/*
 * Every index lives on the base schema, without the discriminator partial filters mongoose
 * would add to child-schema indexes, so one createIndexes() on the base model covers all
 * kinds and the embedded server needs no partial-index support. Each serves a query path:
 */
// default listing (newest first) and the visibility prefix of every read
resourceSchema.index({ status: 1, confidentiality: 1, updatedAt: -1, _id: -1 });
resourceSchema.index({ kind: 1, status: 1, updatedAt: -1, _id: -1 });
// orgUnit scopes: SELF and INHERITED match orgUnits, SUBTREE matches orgPaths
resourceSchema.index({ orgUnits: 1, status: 1, updatedAt: -1 });
resourceSchema.index({ orgPaths: 1, status: 1, updatedAt: -1 });
// filters and facets
resourceSchema.index({ department: 1, kind: 1, status: 1 });
resourceSchema.index({ categories: 1 });
resourceSchema.index({ tags: 1 });
resourceSchema.index({ audience: 1 });
resourceSchema.index({ orgLevels: 1 });
// orderBy
resourceSchema.index({ title: 1, _id: 1 });
resourceSchema.index({ createdAt: -1, _id: -1 });
// search (src/search)
resourceSchema.index({ searchTerms: 1 });
// sync upserts are keyed by (feed, sourceId)
resourceSchema.index({ 'provenance.feedId': 1, 'provenance.sourceId': 1 });
// Service: lookup by 事项编码, reverse link from a policy to the services based on it
resourceSchema.index({ itemCode: 1 });
resourceSchema.index({ legalBasisDocNumbers: 1 });
// Policy: dedup by 发文字号 + 发文机关, validity and date filters, supersession, related services
resourceSchema.index({ docNumber: 1, issuers: 1 });
// Policy: the same policy from several feeds is found by its merge keys
resourceSchema.index({ mergeKeys: 1 });
// ... and created once: no two resources claim one key (sparse: only policies created since
// merging have claims; multikey unique means no two documents share an element, on MongoDB too)
resourceSchema.index({ mergeClaims: 1 }, { unique: true, sparse: true });
resourceSchema.index({ validity: 1, effectiveFrom: 1, effectiveTo: 1 });
resourceSchema.index({ publishedAt: -1, _id: -1 });
resourceSchema.index({ theme: 1 });
resourceSchema.index({ relatedServiceItemCodes: 1 });
// Event: upcoming events
resourceSchema.index({ startsAt: 1, _id: 1 });

const locationSchema = new Schema<ServiceLocation>(
  {
    name: String,
    address: String,
    hours: String,
    phone: String,
    geo: { type: new Schema({ lng: Number, lat: Number }, { _id: false }), default: undefined },
  },
  { _id: false },
);

export const serviceSchema = new Schema<ServiceDoc>({
  itemCode: { type: String, trim: true },
  serviceType: String,
  implementingAgency: String,
  legalBasisDocNumbers: stringList,
  conditions: stringList,
  materials: stringList,
  steps: stringList,
  timeLimitDays: { type: Number, min: 0 },
  fee: String,
  isFree: Boolean,
  locations: { type: [locationSchema], default: [] },
  onlineUrl: String,
  consultPhone: String,
  complaintPhone: String,
  visitsRequired: { type: Number, min: 0 },
});

export const policySchema = new Schema<PolicyDoc>({
  docNumber: { type: String, trim: true },
  mergeKeys: { type: [String], default: undefined },
  mergeClaims: { type: [String], default: undefined },
  indexNumber: String,
  issuers: stringList,
  writtenAt: Date,
  publishedAt: Date,
  effectiveFrom: Date,
  effectiveTo: Date,
  validity: { type: String, enum: POLICY_VALIDITY, default: 'VALID', required: true },
  theme: String,
  attachments: {
    type: [new Schema<PolicyAttachment>({ title: { type: String, required: true }, url: { type: String, required: true } }, { _id: false })],
    default: [],
  },
  interpretations: {
    type: [new Schema<PolicyInterpretation>({ title: { type: String, required: true }, url: String }, { _id: false })],
    default: [],
  },
  supersededByDocNumber: String,
  relatedServiceItemCodes: stringList,
});

export const eventSchema = new Schema<EventDoc>({
  startsAt: { type: Date, required: true },
  endsAt: Date,
  allDay: { type: Boolean, default: false },
  venue: String,
  organizer: String,
  capacity: { type: Number, min: 0 },
  registrationUrl: String,
});

export interface ResourceModels {
  Resource: ResourceModel;
  Service: ServiceModel;
  Policy: PolicyModel;
  Event: EventModel;
}

/**
 * Deliberately untyped: mongoose's generic `discriminator<T>()` makes tsc instantiate its
 * types for minutes (seen: >150 s and 4 GB for this file alone). The casts below restore
 * the precise model types at the one place they are created.
 */
function kindModel(resource: ResourceModel, name: keyof typeof RESOURCE_KIND_VALUES, schema: Schema): unknown {
  return resource.discriminators?.[name] ?? resource.discriminator(name, schema, RESOURCE_KIND_VALUES[name]);
}

export function resourceModels(connection: Connection): ResourceModels {
  const Resource =
    (connection.models.Resource as ResourceModel | undefined) ?? connection.model<ResourceBase>('Resource', resourceSchema);
  return {
    Resource,
    Service: kindModel(Resource, 'Service', serviceSchema as unknown as Schema) as ServiceModel,
    Policy: kindModel(Resource, 'Policy', policySchema as unknown as Schema) as PolicyModel,
    Event: kindModel(Resource, 'Event', eventSchema as unknown as Schema) as EventModel,
  };
}
