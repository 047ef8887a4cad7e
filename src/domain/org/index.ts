import { Types, type FilterQuery } from 'mongoose';
import type { Models, OrgUnitDoc, ResourceBase } from '../../db/index.js';
import { InvalidInputError } from '../errors.js';
import { placementOf, type OrgPlacement } from './placement.js';

export { orgAnchorsOf, placementOf, type OrgPlacement, type PlacedUnit } from './placement.js';
export { ensureOrgAnchors } from './anchors-backfill.js';

/**
 * SELF: attached to the unit itself. SUBTREE: attached to the unit or anything below it.
 * INHERITED: attached to the unit or anything above it (a village sees its city's policies).
 */
export const ORG_SCOPES = ['SELF', 'SUBTREE', 'INHERITED'] as const;
export type OrgScope = (typeof ORG_SCOPES)[number];

/** Placement for org unit codes as a normalized record carries them; unknown codes are reported. */
export async function placementForCodes(
  models: Models,
  codes: readonly string[],
): Promise<{ placement: OrgPlacement; unknownCodes: string[] }> {
  const units = await findUnitsByCodes(models, codes);
  const known = new Set(units.map((unit) => unit.code));
  return { placement: placementOf(units), unknownCodes: codes.filter((code) => !known.has(code)) };
}

/** The resource filter for resources placed relative to `unit` in `scope`. */
export function scopeFilter(unit: Pick<OrgUnitDoc, '_id' | 'ancestors'>, scope: OrgScope): FilterQuery<ResourceBase> {
  switch (scope) {
    case 'SELF':
      return { orgUnits: unit._id };
    case 'SUBTREE':
      return { orgPaths: unit._id };
    case 'INHERITED':
      return { orgUnits: { $in: [...unit.ancestors, unit._id] } };
  }
}

export async function findUnitsByIds(models: Models, ids: readonly Types.ObjectId[]): Promise<OrgUnitDoc[]> {
  if (ids.length === 0) return [];
  return models.OrgUnit.find({ _id: { $in: ids } }).lean<OrgUnitDoc[]>().exec();
}

export async function findUnitsByCodes(models: Models, codes: readonly string[]): Promise<OrgUnitDoc[]> {
  if (codes.length === 0) return [];
  return models.OrgUnit.find({ code: { $in: codes } }).lean<OrgUnitDoc[]>().exec();
}

/** Children of every given parent, in display order. */
export async function findChildrenOf(models: Models, parentIds: readonly Types.ObjectId[]): Promise<OrgUnitDoc[]> {
  if (parentIds.length === 0) return [];
  return models.OrgUnit.find({ parentId: { $in: parentIds } })
    .sort({ sortOrder: 1, code: 1 })
    .lean<OrgUnitDoc[]>().exec();
}

/** Units at one level, or the roots when no level is given, in display order. */
export async function listUnits(models: Models, level?: number): Promise<OrgUnitDoc[]> {
  if (level !== undefined && ![1, 2, 3, 4].includes(level)) {
    throw new InvalidInputError('层级必须是 1 到 4', 'level must be 1 to 4', 'level');
  }
  return models.OrgUnit.find(level === undefined ? { parentId: null } : { level })
    .sort({ level: 1, sortOrder: 1, code: 1 })
    .lean<OrgUnitDoc[]>().exec();
}
