import type { Types } from 'mongoose';
import type { ResourceModel } from '../db/index.js';
import type { SeenSet } from './seen-set.js';

const CHUNK = 1_000;

interface FeedCopy {
  _id: Types.ObjectId;
  provenance: Array<{ feedId: Types.ObjectId; sourceId: string }>;
}

export function activeFilter(feedId: Types.ObjectId): Record<string, unknown> {
  return { 'provenance.feedId': feedId, status: { $ne: 'WITHDRAWN' } };
}

/** Streams the feed's active records that the snapshot did not contain, in chunks of ids. */
async function* missingFromSnapshot(Resource: ResourceModel, feedId: Types.ObjectId, seen: SeenSet): AsyncGenerator<Types.ObjectId[]> {
  const cursor = Resource.collection.find(activeFilter(feedId), { projection: { provenance: 1 } });
  let chunk: Types.ObjectId[] = [];
  for await (const doc of cursor as AsyncIterable<unknown>) {
    const copy = doc as FeedCopy;
    const entry = copy.provenance.find((p) => p.feedId.equals(feedId));
    if (entry && !seen.has(entry.sourceId)) chunk.push(copy._id);
    if (chunk.length === CHUNK) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

export async function countMissing(Resource: ResourceModel, feedId: Types.ObjectId, seen: SeenSet): Promise<number> {
  let count = 0;
  for await (const ids of missingFromSnapshot(Resource, feedId, seen)) count += ids.length;
  return count;
}

/** Soft withdrawal (status WITHDRAWN, never a delete) of records missing from a complete snapshot. */
export async function withdrawMissing(Resource: ResourceModel, feedId: Types.ObjectId, seen: SeenSet): Promise<number> {
  let withdrawn = 0;
  const now = new Date();
  for await (const ids of missingFromSnapshot(Resource, feedId, seen)) {
    const result = await Resource.collection.updateMany(
      { _id: { $in: ids }, status: { $ne: 'WITHDRAWN' } },
      { $set: { status: 'WITHDRAWN', withdrawnAt: now, updatedAt: now } },
    );
    withdrawn += result.modifiedCount;
  }
  return withdrawn;
}

/** Marks the missing records with the run that held them, so a confirmation can withdraw exactly those. */
export async function markHeldWithdrawal(Resource: ResourceModel, feedId: Types.ObjectId, seen: SeenSet, runId: Types.ObjectId): Promise<void> {
  for await (const ids of missingFromSnapshot(Resource, feedId, seen)) {
    await Resource.collection.updateMany({ _id: { $in: ids } }, { $set: { withdrawalHeldBy: runId } });
  }
}

/** Withdraws what a held run marked (and no later run has seen again). */
export async function withdrawHeld(Resource: ResourceModel, runId: Types.ObjectId): Promise<number> {
  const now = new Date();
  const result = await Resource.collection.updateMany(
    { withdrawalHeldBy: runId, status: { $ne: 'WITHDRAWN' } },
    { $set: { status: 'WITHDRAWN', withdrawnAt: now, updatedAt: now }, $unset: { withdrawalHeldBy: '' } },
  );
  return result.modifiedCount;
}
