import type { Collection, mongo } from 'mongoose';
import type { Models } from '../../db/index.js';
import { orgAnchorsOf, type PlacedUnit } from './placement.js';

const BATCH = 1000;
const MISSING = { orgAnchors: { $exists: false } };

/**
 * Resources and review cases written before placements carried `orgAnchors` get them from their
 * units (a case from `orgUnits`, or `orgPaths` when it predates those: both roll up the same).
 * Reports group by the anchors, so this runs before the hub serves. Returns how many were filled.
 */
export async function ensureOrgAnchors(models: Pick<Models, 'Resource' | 'ReviewCase' | 'OrgUnit'>): Promise<{ resources: number; cases: number }> {
  const resources = models.Resource.collection;
  const cases = models.ReviewCase.collection;
  const [resource, reviewCase] = await Promise.all([resources.findOne(MISSING, { projection: { _id: 1 } }), cases.findOne(MISSING, { projection: { _id: 1 } })]);
  if (!resource && !reviewCase) return { resources: 0, cases: 0 };
  const units = new Map((await models.OrgUnit.find({}, { ancestors: 1, level: 1 }).lean()).map((unit) => [unit._id.toHexString(), unit]));
  return { resources: resource ? await fill(resources, units) : 0, cases: reviewCase ? await fill(cases, units) : 0 };
}

async function fill(collection: Collection, units: ReadonlyMap<string, PlacedUnit>): Promise<number> {
  let filled = 0;
  let ops: mongo.AnyBulkWriteOperation[] = [];
  const flush = async () => {
    if (ops.length > 0) filled += (await collection.bulkWrite(ops, { ordered: false })).modifiedCount;
    ops = [];
  };
  for await (const doc of collection.find(MISSING, { projection: { orgUnits: 1, orgPaths: 1 } })) {
    const attached = ((doc.orgUnits ?? doc.orgPaths ?? []) as { toHexString(): string }[]).flatMap((id) => units.get(id.toHexString()) ?? []);
    ops.push({ updateOne: { filter: { _id: doc._id, ...MISSING }, update: { $set: { orgAnchors: orgAnchorsOf(attached) } } } });
    if (ops.length === BATCH) await flush();
  }
  await flush();
  return filled;
}
