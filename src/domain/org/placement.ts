import type { Types } from 'mongoose';
import { ORG_LEVELS, type OrgAnchors, type OrgLevel, type OrgUnitDoc } from '../../db/index.js';

/** The org fields a resource stores; writers (sync, seeds, manual edits) set them all together. */
export interface OrgPlacement {
  orgUnits: Types.ObjectId[];
  orgPaths: Types.ObjectId[];
  orgLevels: OrgLevel[];
  orgAnchors: OrgAnchors;
}

export type PlacedUnit = Pick<OrgUnitDoc, '_id' | 'ancestors' | 'level'>;

/** Placement of a resource attached to `units` (their ancestors must be set). */
export function placementOf(units: readonly PlacedUnit[]): OrgPlacement {
  const paths = new Map<string, Types.ObjectId>();
  for (const unit of units) {
    for (const id of [...unit.ancestors, unit._id]) paths.set(id.toHexString(), id);
  }
  return {
    orgUnits: units.map((unit) => unit._id),
    orgPaths: [...paths.values()],
    orgLevels: [...new Set(units.map((unit) => unit.level))].sort(),
    orgAnchors: orgAnchorsOf(units),
  };
}

/**
 * Per level, the distinct units that `units` roll up to there: a unit at that level stands for
 * itself, a unit below it for its ancestor at that level (`ancestors[level - 1]`, the tree's
 * ancestors run from the root down), a unit above it for none.
 */
export function orgAnchorsOf(units: readonly PlacedUnit[]): OrgAnchors {
  const byLevel = ORG_LEVELS.map(() => new Map<string, Types.ObjectId>());
  for (const unit of units) {
    for (const level of ORG_LEVELS) {
      const anchor = level === unit.level ? unit._id : level < unit.level ? unit.ancestors[level - 1] : undefined;
      if (anchor) byLevel[level - 1]!.set(anchor.toHexString(), anchor);
    }
  }
  return Object.fromEntries(ORG_LEVELS.map((level) => [`l${level}`, [...byLevel[level - 1]!.values()]])) as OrgAnchors;
}
