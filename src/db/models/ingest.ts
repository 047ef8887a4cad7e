import type { Connection } from 'mongoose';
import { feedModel, type FeedModel } from './feed.js';
import { feedFileModel, type FeedFileModel } from './feed-file.js';
import { leaseModel, type LeaseModel } from './lease.js';
import { quarantineModel, type QuarantineModel } from './quarantine.js';
import { syncRunModel, type SyncRunModel } from './sync-run.js';
import { webhookReceiptModel, type WebhookReceiptModel } from './webhook-receipt.js';

export * from './feed.js';
export * from './feed-file.js';
export * from './lease.js';
export * from './quarantine.js';
export * from './sync-run.js';
export * from './webhook-receipt.js';

/** The sync engine's collections: feeds, syncRuns, quarantine, locks, webhookReceipts, feedFiles. */
export interface IngestModels {
  Feed: FeedModel;
  SyncRun: SyncRunModel;
  Quarantine: QuarantineModel;
  Lease: LeaseModel;
  WebhookReceipt: WebhookReceiptModel;
  FeedFile: FeedFileModel;
}

export function ingestModels(connection: Connection): IngestModels {
  return {
    Feed: feedModel(connection),
    SyncRun: syncRunModel(connection),
    Quarantine: quarantineModel(connection),
    Lease: leaseModel(connection),
    WebhookReceipt: webhookReceiptModel(connection),
    FeedFile: feedFileModel(connection),
  };
}
