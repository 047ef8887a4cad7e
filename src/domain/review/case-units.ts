import type { Models } from '../../db/index.js';

const BATCH = 1000;

/**
 * Cases opened before they recorded their units (`orgUnits`) get their `orgPaths` there. Rolled
 * up to any level, a unit's path gives the same anchors as the unit itself (its ancestors anchor
 * at or above that level), so reports over old and new cases agree; new cases roll up faster.
 * Returns how many cases were filled.
 */
export async function ensureReviewCaseUnits(models: Pick<Models, 'ReviewCase'>): Promise<number> {
  const cases = models.ReviewCase.collection;
  let filled = 0;
  for (;;) {
    const batch = await cases.find({ orgUnits: { $exists: false } }, { projection: { orgPaths: 1 }, limit: BATCH }).toArray();
    if (batch.length === 0) return filled;
    const result = await cases.bulkWrite(
      batch.map((doc) => ({ updateOne: { filter: { _id: doc._id, orgUnits: { $exists: false } }, update: { $set: { orgUnits: doc.orgPaths ?? [] } } } })),
      { ordered: false },
    );
    filled += result.modifiedCount;
  }
}
