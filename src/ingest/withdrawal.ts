import type { Types } from 'mongoose';
import type { ResourceModel } from '../db/index.js';
import type { SeenSet } from './seen-set.js';
import { carriedBy, dropCopies, type StoredCopies } from './merge/index.js';

const CHUNK = 1_000;

export function activeFilter(feedId: Types.ObjectId): Record<string, unknown> {
  return { 'provenance.feedId': feedId, status: { $ne: 'WITHDRAWN' } };
}

/**
 * Streams the feed's active records that the snapshot did not contain, in chunks. A merged
 * policy's copy this feed already dropped (src/ingest/merge) is not missing again.
 */
async function* missingFromSnapshot(Resource: ResourceModel, feedId: Types.ObjectId, seen: SeenSet): AsyncGenerator<StoredCopies[]> {
  const cursor = Resource.collection.find(activeFilter(feedId), { projection: { status: 1, provenance: 1 } });
  let chunk: StoredCopies[] = [];
  for await (const doc of cursor as AsyncIterable<unknown>) {
    const copy = doc as StoredCopies;
    const entry = carriedBy(copy, feedId);
    if (entry && !seen.has(entry.sourceId)) chunk.push(copy);
    if (chunk.length === CHUNK) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

export async function countMissing(Resource: ResourceModel, feedId: Types.ObjectId, seen: SeenSet): Promise<number> {
  let count = 0;
  for await (const copies of missingFromSnapshot(Resource, feedId, seen)) count += copies.length;
  return count;
}

/**
 * Soft withdrawal (status WITHDRAWN, never a delete) of records missing from a complete
 * snapshot; a policy other feeds still carry only loses this feed's copy.
 */
export async function withdrawMissing(Resource: ResourceModel, feedId: Types.ObjectId, seen: SeenSet): Promise<number> {
  let withdrawn = 0;
  const now = new Date();
  for await (const copies of missingFromSnapshot(Resource, feedId, seen)) {
    withdrawn += await dropCopies(Resource, feedId, copies, now);
  }
  return withdrawn;
}

/** Marks the missing records with the run that held them, so a confirmation can withdraw exactly those. */
export async function markHeldWithdrawal(Resource: ResourceModel, feedId: Types.ObjectId, seen: SeenSet, runId: Types.ObjectId): Promise<void> {
  for await (const copies of missingFromSnapshot(Resource, feedId, seen)) {
    const ids = copies.map((copy) => copy._id);
    await Resource.collection.updateMany({ _id: { $in: ids } }, { $set: { withdrawalHeldBy: runId } });
  }
}

/** Withdraws what a held run of the feed marked (and no later run has seen again). */
export async function withdrawHeld(Resource: ResourceModel, feedId: Types.ObjectId, runId: Types.ObjectId): Promise<number> {
  const now = new Date();
  let withdrawn = 0;
  const cursor = Resource.collection.find({ withdrawalHeldBy: runId, status: { $ne: 'WITHDRAWN' } }, { projection: { status: 1, provenance: 1 } });
  let chunk: StoredCopies[] = [];
  for await (const doc of cursor as AsyncIterable<unknown>) {
    chunk.push(doc as StoredCopies);
    if (chunk.length === CHUNK) {
      withdrawn += await dropCopies(Resource, feedId, chunk, now);
      chunk = [];
    }
  }
  if (chunk.length > 0) withdrawn += await dropCopies(Resource, feedId, chunk, now);
  await Resource.collection.updateMany({ withdrawalHeldBy: runId }, { $unset: { withdrawalHeldBy: '' } });
  return withdrawn;
}
