import type { Types } from 'mongoose';
import type { OrgLevel, OrgUnitModel } from '../db/index.js';

export interface OrgPlacement {
  orgUnits: Types.ObjectId[];
  /** The attached units and all their ancestors (SUBTREE queries match this). */
  orgPaths: Types.ObjectId[];
  orgLevels: OrgLevel[];
}

interface CachedUnit {
  _id: Types.ObjectId;
  ancestors: Types.ObjectId[];
  level: OrgLevel;
}

/**
 * Turns a record's org unit codes into ids for one run, loading each batch's unknown codes
 * in one query and remembering them (the tree is small and stable during a run).
 */
export class OrgUnitResolver {
  private readonly known = new Map<string, CachedUnit | null>();

  constructor(private readonly OrgUnit: OrgUnitModel) {}

  async load(codes: Iterable<string>): Promise<void> {
    const missing = [...new Set(codes)].filter((code) => !this.known.has(code));
    if (missing.length === 0) return;
    const units = await this.OrgUnit.find({ code: { $in: missing } }, { code: 1, ancestors: 1, level: 1 }).lean();
    for (const code of missing) this.known.set(code, null);
    for (const unit of units) this.known.set(unit.code, { _id: unit._id, ancestors: unit.ancestors, level: unit.level });
  }

  /** Codes must have been load()ed. Returns the placement, or the codes that name no unit. */
  place(codes: readonly string[]): { ok: true; placement: OrgPlacement } | { ok: false; unknown: string[] } {
    const unknown = codes.filter((code) => !this.known.get(code));
    if (unknown.length > 0) return { ok: false, unknown };
    const units = codes.map((code) => this.known.get(code)!);
    const paths = new Map<string, Types.ObjectId>();
    for (const unit of units) {
      for (const id of [...unit.ancestors, unit._id]) paths.set(id.toHexString(), id);
    }
    return {
      ok: true,
      placement: {
        orgUnits: units.map((unit) => unit._id),
        orgPaths: [...paths.values()],
        orgLevels: [...new Set(units.map((unit) => unit.level))].sort(),
      },
    };
  }

  /** Ids of the units in a feed's org scope and their subtrees, as hex strings. */
  scopeIds(codes: readonly string[]): Set<string> {
    return new Set(codes.flatMap((code) => {
      const unit = this.known.get(code);
      return unit ? [unit._id.toHexString()] : [];
    }));
  }
}
