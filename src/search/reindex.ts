import type { Types } from 'mongoose';
import type { ResourceModel } from '../db/index.js';
import { computeSearchTerms } from './terms.js';

/**
 * Back-fills `searchTerms` for existing resources (after an upgrade or a tokenizer change).
 * Walks the collection in `_id` order in batches, writes only documents whose terms
 * changed and leaves `updatedAt` alone, so it is safe to rerun and to interrupt.
 */

export interface ReindexStats {
  scanned: number;
  updated: number;
}

const SOURCE_FIELDS = {
  title: 1, docNumber: 1, indexNumber: 1, itemCode: 1, tags: 1, issuers: 1, summary: 1, body: 1, searchTerms: 1,
} as const;

interface SourceDoc {
  _id: Types.ObjectId;
  title: string;
  docNumber?: string;
  indexNumber?: string;
  itemCode?: string;
  tags?: string[];
  issuers?: string[];
  summary?: string;
  body?: string;
  searchTerms?: string[];
}

function sameTerms(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((term, i) => term === b[i]);
}

export async function reindexSearchTerms(
  Resource: ResourceModel,
  options: { batchSize?: number; onBatch?: (stats: ReindexStats) => void } = {},
): Promise<ReindexStats> {
  const batchSize = options.batchSize ?? 500;
  const stats: ReindexStats = { scanned: 0, updated: 0 };
  let lastId: Types.ObjectId | undefined;
  for (;;) {
    const batch = await Resource.find(lastId ? { _id: { $gt: lastId } } : {})
      .sort({ _id: 1 })
      .limit(batchSize)
      .select(SOURCE_FIELDS)
      .lean<SourceDoc[]>();
    if (batch.length === 0) return stats;
    const writes = batch.flatMap((doc) => {
      const searchTerms = computeSearchTerms(doc);
      if (sameTerms(doc.searchTerms, searchTerms)) return [];
      return [{ updateOne: { filter: { _id: doc._id }, update: { $set: { searchTerms } }, timestamps: false } }];
    });
    if (writes.length > 0) await Resource.bulkWrite(writes, { ordered: false });
    stats.scanned += batch.length;
    stats.updated += writes.length;
    lastId = batch[batch.length - 1]!._id;
    options.onBatch?.(stats);
  }
}
