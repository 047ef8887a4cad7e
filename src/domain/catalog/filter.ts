import type { FilterQuery } from 'mongoose';
import { z } from 'zod';
import type { Models, OrgUnitDoc, ResourceBase } from '../../db/index.js';
import { InvalidInputError } from '../errors.js';
import { findUnitsByCodes, ORG_SCOPES, scopeFilter } from '../org/index.js';
import { POLICY_VALIDITY, RESOURCE_KINDS } from './normalized-record.js';

const term = z.string().trim().min(1).max(200);
const terms = z.array(term).max(50).nullish();

const dateRange = z
  .object({ from: z.date().nullish(), to: z.date().nullish() })
  .refine((range) => !range.from || !range.to || range.from <= range.to, { message: 'from > to' })
  .nullish();

/** Connection filters. Lists are any-of; fields are ANDed. Date ranges are [from, to). */
export const resourceFilterSchema = z.object({
  kinds: z.array(z.enum(RESOURCE_KINDS)).max(3).nullish(),
  departments: terms,
  categories: terms,
  tags: terms,
  audience: terms,
  orgUnit: z.object({ code: term, scope: z.enum(ORG_SCOPES).nullish() }).nullish(),
  orgLevels: z.array(z.number().int().min(1).max(4)).max(4).nullish(),
  createdAt: dateRange,
  updatedAt: dateRange,
  /** Policies: 主题分类 */
  themes: terms,
  /** Policies: 时效性 */
  validity: z.array(z.enum(POLICY_VALIDITY)).max(3).nullish(),
  /** Policies in force (有效, within effectiveFrom/effectiveTo) at this instant. */
  effectiveAt: z.date().nullish(),
  /** Policies: 发布日期 */
  publishedAt: dateRange,
  /** Events: 开始时间 */
  startsAt: dateRange,
});

export type ResourceFilterInput = z.input<typeof resourceFilterSchema>;

/** Finds an org unit by code; GraphQL passes its per-request loader so repeated codes cost nothing. */
export type UnitByCode = (code: string) => Promise<OrgUnitDoc | null>;

/** Compiles a typed filter into a MongoDB filter. Values are only ever used as values, never as operators. */
export async function compileResourceFilter(
  models: Models,
  input: ResourceFilterInput | null | undefined,
  unitByCode: UnitByCode = async (code) => (await findUnitsByCodes(models, [code]))[0] ?? null,
): Promise<FilterQuery<ResourceBase>> {
  if (!input) return {};
  const parsed = resourceFilterSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = ['filter', ...(issue?.path ?? [])].join('.');
    throw new InvalidInputError(`无效的筛选条件：${path}`, `Invalid filter: ${path} (${issue?.message ?? ''})`, path);
  }
  const filter = parsed.data;
  const clauses: FilterQuery<ResourceBase>[] = [];
  const anyOf = (field: string, values: readonly (string | number)[] | null | undefined) => {
    if (values && values.length > 0) clauses.push({ [field]: { $in: values } });
  };
  const within = (field: string, range: { from?: Date | null; to?: Date | null } | null | undefined) => {
    const bounds: Record<string, Date> = {};
    if (range?.from) bounds.$gte = range.from;
    if (range?.to) bounds.$lt = range.to;
    if (Object.keys(bounds).length > 0) clauses.push({ [field]: bounds });
  };

  anyOf('kind', filter.kinds);
  anyOf('department', filter.departments?.map((code) => code.toLowerCase()));
  anyOf('categories', filter.categories);
  anyOf('tags', filter.tags);
  anyOf('audience', filter.audience);
  anyOf('orgLevels', filter.orgLevels);
  anyOf('theme', filter.themes);
  anyOf('validity', filter.validity);
  within('createdAt', filter.createdAt);
  within('updatedAt', filter.updatedAt);
  within('publishedAt', filter.publishedAt);
  within('startsAt', filter.startsAt);
  if (filter.effectiveAt) clauses.push(inForceAt(filter.effectiveAt));
  if (filter.orgUnit) {
    const { code } = filter.orgUnit;
    const unit = await unitByCode(code);
    if (!unit) throw new InvalidInputError(`未知的组织代码：${code}`, `Unknown org unit code: ${code}`, 'filter.orgUnit.code');
    clauses.push(scopeFilter(unit, filter.orgUnit.scope ?? 'SELF'));
  }
  return allOf(clauses);
}

/** A policy in force at `at`: 有效, started (or no start given) and not yet ended. */
function inForceAt(at: Date): FilterQuery<ResourceBase> {
  return {
    kind: 'POLICY',
    validity: 'VALID',
    $and: [
      { $or: [{ effectiveFrom: null }, { effectiveFrom: { $lte: at } }] },
      { $or: [{ effectiveTo: null }, { effectiveTo: { $gt: at } }] },
    ],
  };
}

export function allOf(clauses: FilterQuery<ResourceBase>[]): FilterQuery<ResourceBase> {
  const nonEmpty = clauses.filter((clause) => Object.keys(clause).length > 0);
  if (nonEmpty.length === 0) return {};
  if (nonEmpty.length === 1) return nonEmpty[0] as FilterQuery<ResourceBase>;
  return { $and: nonEmpty };
}
