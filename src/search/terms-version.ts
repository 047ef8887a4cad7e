import type { HubMetaModel, ResourceModel } from '../db/index.js';
import { reindexSearchTerms, type ReindexStats } from './reindex.js';

/**
 * The format of stored `searchTerms`. Bump it whenever computeSearchTerms() would give an
 * existing resource different terms (tokenizer, normalization, ranking texts): a hub that
 * finds an older version in its store reindexes at startup. terms-version.test.ts fails
 * when the output changes and this number does not.
 */
export const SEARCH_TERMS_VERSION = 3;

const META_ID = 'searchTerms';

export interface TermsMigration {
  /** The version found in the store before; null when none was recorded. */
  from: number | null;
  /** Null when the stored terms were already current. */
  stats: ReindexStats | null;
}

/**
 * Brings every resource's `searchTerms` to SEARCH_TERMS_VERSION unless the store says it is
 * there already (or `force`), then records the version. Reindexing rewrites only documents
 * whose terms differ, so running it twice, or on two instances at once, is harmless.
 */
export async function ensureSearchTermsCurrent(
  models: { Resource: ResourceModel; HubMeta: HubMetaModel },
  options: { force?: boolean; onBatch?: (stats: ReindexStats) => void } = {},
): Promise<TermsMigration> {
  const stored = await models.HubMeta.findById(META_ID).lean();
  const from = stored?.version ?? null;
  if (from === SEARCH_TERMS_VERSION && !options.force) return { from, stats: null };
  const stats = await reindexSearchTerms(models.Resource, { onBatch: options.onBatch });
  await models.HubMeta.updateOne({ _id: META_ID }, { $set: { version: SEARCH_TERMS_VERSION, updatedAt: new Date() } }, { upsert: true });
  return { from, stats };
}
