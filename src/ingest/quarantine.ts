import type { mongo, Types } from 'mongoose';
import type { QuarantineCode, QuarantineModel } from '../db/models/quarantine.js';
import type { PreparedRecord } from './prepare.js';

export interface QuarantineEntry {
  sourceId: string;
  code: QuarantineCode;
  reasons: string[];
  raw: Record<string, unknown>;
}

export function quarantineEntry(rejected: Extract<PreparedRecord, { ok: false }>): QuarantineEntry {
  return { sourceId: rejected.raw.sourceId, code: rejected.code, reasons: rejected.reasons, raw: rejected.raw.data };
}

const OPEN = ['OPEN', 'REQUEUED'];

/**
 * Files rejected records: one open entry per (feed, sourceId), refreshed on each run that
 * sees the record again. CLASSIFIED entries keep no payload.
 */
export async function fileQuarantine(
  Quarantine: QuarantineModel,
  feedId: Types.ObjectId,
  runId: Types.ObjectId,
  entries: QuarantineEntry[],
): Promise<void> {
  if (entries.length === 0) return;
  const now = new Date();
  const ops: mongo.AnyBulkWriteOperation[] = entries.map((entry) => ({
    updateOne: {
      filter: { feed: feedId, sourceId: entry.sourceId, status: { $in: OPEN } },
      update: {
        $set: {
          run: runId,
          code: entry.code,
          reasons: entry.reasons,
          raw: entry.code === 'CLASSIFIED' ? null : entry.raw,
          status: 'OPEN',
          lastSeenAt: now,
          resolvedAt: null,
        },
        $setOnInsert: { firstSeenAt: now },
      },
      upsert: true,
    },
  }));
  await Quarantine.collection.bulkWrite(ops, { ordered: false });
}

/** Closes open entries for records that have now been stored. */
export async function resolveQuarantine(Quarantine: QuarantineModel, feedId: Types.ObjectId, sourceIds: string[]): Promise<void> {
  if (sourceIds.length === 0) return;
  await Quarantine.collection.updateMany(
    { feed: feedId, sourceId: { $in: sourceIds }, status: { $in: OPEN } },
    { $set: { status: 'RESOLVED', resolvedAt: new Date() } },
  );
}

export async function hasOpenQuarantine(Quarantine: QuarantineModel, feedId: Types.ObjectId): Promise<boolean> {
  return (await Quarantine.exists({ feed: feedId, status: { $in: OPEN } })) !== null;
}
