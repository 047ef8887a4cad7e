import type { OrgUnitModel } from '../db/index.js';
import { placementOf, type OrgPlacement, type PlacedUnit } from '../domain/org/index.js';

/**
 * Turns a record's org unit codes into ids for one run, loading each batch's unknown codes
 * in one query and remembering them (the tree is small and stable during a run).
 */
export class OrgUnitResolver {
  private readonly known = new Map<string, PlacedUnit | null>();

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
    return { ok: true, placement: placementOf(codes.map((code) => this.known.get(code)!)) };
  }

  /** Ids of the units in a feed's org scope and their subtrees, as hex strings. */
  scopeIds(codes: readonly string[]): Set<string> {
    return new Set(codes.flatMap((code) => {
      const unit = this.known.get(code);
      return unit ? [unit._id.toHexString()] : [];
    }));
  }
}
