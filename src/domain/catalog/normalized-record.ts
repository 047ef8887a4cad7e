import { z } from 'zod';

/**
 * The normalized shape every source record is mapped to before it is stored: what a
 * connector's `map()` returns, what manual publishing accepts, and what the sync engine
 * validates. Chinese government field names are given beside each field.
 */

export const RESOURCE_KINDS = ['SERVICE', 'POLICY', 'EVENT'] as const;
export type ResourceKind = (typeof RESOURCE_KINDS)[number];

/** CLASSIFIED (涉密) is listed so that it can be detected and refused; it is never stored. */
export const CONFIDENTIALITY_LEVELS = ['PUBLIC', 'INTERNAL', 'RESTRICTED', 'CLASSIFIED'] as const;
export type Confidentiality = (typeof CONFIDENTIALITY_LEVELS)[number];
export const STORABLE_CONFIDENTIALITY = ['PUBLIC', 'INTERNAL', 'RESTRICTED'] as const;

/** 有效 / 失效 / 废止 */
export const POLICY_VALIDITY = ['VALID', 'EXPIRED', 'REPEALED'] as const;
export type PolicyValidity = (typeof POLICY_VALIDITY)[number];

const text = z.string().trim();
const optionalText = text.min(1).optional();

export const locationSchema = z.object({
  name: optionalText,
  address: optionalText, // 办理地点
  hours: optionalText, // 办公时间
  phone: optionalText,
  geo: z.object({ lng: z.number().min(-180).max(180), lat: z.number().min(-90).max(90) }).optional(),
});

const commonFields = {
  /** The record's id at its source; kept as a string so leading zeros survive. */
  sourceId: text.min(1).max(512),
  title: text.min(1).max(500),
  summary: text.max(5_000).optional(),
  /** Sanitized HTML. */
  body: z.string().max(2_000_000).optional(),
  /** Department code (health, education, culture, justice, hrss, …). */
  department: text.min(1).max(64),
  /** Org unit codes the resource is attached to; it applies to their subtrees too. */
  orgUnitCodes: z.array(text.min(1)).default([]),
  categories: z.array(text.min(1)).default([]),
  tags: z.array(text.min(1)).default([]),
  audience: z.array(text.min(1)).default([]),
  confidentiality: z.enum(CONFIDENTIALITY_LEVELS).default('PUBLIC'),
  sourceUrl: z.string().url().optional(),
};

export const serviceRecordSchema = z.object({
  kind: z.literal('SERVICE'),
  ...commonFields,
  itemCode: optionalText, // 事项编码
  serviceType: optionalText, // 事项类型
  implementingAgency: optionalText, // 实施机关
  legalBasisDocNumbers: z.array(text.min(1)).default([]), // 设定依据 (发文字号 of policies)
  conditions: z.array(text.min(1)).default([]), // 受理条件
  materials: z.array(text.min(1)).default([]), // 申报材料
  steps: z.array(text.min(1)).default([]), // 办理流程
  timeLimitDays: z.number().int().min(0).max(3650).optional(), // 办理时限 (工作日)
  fee: optionalText, // 收费标准
  isFree: z.boolean().optional(), // 是否收费
  locations: z.array(locationSchema).default([]),
  onlineUrl: z.string().url().optional(), // 网上办理地址
  consultPhone: optionalText, // 咨询电话
  complaintPhone: optionalText, // 投诉电话
  visitsRequired: z.number().int().min(0).max(20).optional(), // 到现场次数
});

export const policyRecordSchema = z.object({
  kind: z.literal('POLICY'),
  ...commonFields,
  docNumber: optionalText, // 发文字号, e.g. 国办发〔2024〕12号
  indexNumber: optionalText, // 索引号
  issuers: z.array(text.min(1)).default([]), // 发文机关
  writtenAt: z.coerce.date().optional(), // 成文日期
  publishedAt: z.coerce.date().optional(), // 发布日期
  effectiveFrom: z.coerce.date().optional(), // 施行日期
  effectiveTo: z.coerce.date().optional(), // 失效日期
  validity: z.enum(POLICY_VALIDITY).default('VALID'), // 时效性
  theme: optionalText, // 主题分类
  attachments: z.array(z.object({ title: text.min(1), url: z.string().url() })).default([]), // 附件
  interpretations: z.array(z.object({ title: text.min(1), url: z.string().url().optional() })).default([]), // 政策解读
  supersededByDocNumber: optionalText, // 被…替代
  relatedServiceItemCodes: z.array(text.min(1)).default([]),
});

export const eventRecordSchema = z.object({
  kind: z.literal('EVENT'),
  ...commonFields,
  startsAt: z.coerce.date(),
  endsAt: z.coerce.date().optional(),
  allDay: z.boolean().default(false),
  venue: optionalText,
  organizer: optionalText,
  capacity: z.number().int().min(0).optional(),
  registrationUrl: z.string().url().optional(),
});

export const normalizedRecordSchema = z.discriminatedUnion('kind', [
  serviceRecordSchema,
  policyRecordSchema,
  eventRecordSchema,
]);

export type NormalizedRecord = z.infer<typeof normalizedRecordSchema>;
export type ServiceRecord = z.infer<typeof serviceRecordSchema>;
export type PolicyRecord = z.infer<typeof policyRecordSchema>;
export type EventRecord = z.infer<typeof eventRecordSchema>;
/** What a mapper may return before defaults are applied. */
export type NormalizedRecordInput = z.input<typeof normalizedRecordSchema>;
