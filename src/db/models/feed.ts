import { Schema, type Connection, type Model, type Types } from 'mongoose';

/** feeds: a department's data source, registered by its admin and kept in step by the sync engine. */

export const FEED_STATUSES = ['ACTIVE', 'PAUSED', 'DELETED'] as const;
export const SYNC_MODES = ['FULL', 'INCREMENTAL'] as const;
export const REVIEW_POLICIES = ['AUTO_PUBLISH', 'REQUIRE_REVIEW'] as const;
export const FEED_TARGET_KINDS = ['SERVICE', 'POLICY', 'EVENT'] as const;
export const DEFAULT_FEED_TIMEZONE = 'Asia/Shanghai';
export const DEFAULT_WITHDRAWAL_GUARD = 0.3;
export const DEFAULT_RUN_TIMEOUT_MS = 30 * 60_000;

export type FeedStatus = (typeof FEED_STATUSES)[number];
export type SyncMode = (typeof SYNC_MODES)[number];
export type ReviewPolicy = (typeof REVIEW_POLICIES)[number];
export type FeedTargetKind = (typeof FEED_TARGET_KINDS)[number];

export interface FeedLastRun {
  runId: Types.ObjectId | null;
  status: string | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface FeedDoc {
  _id: Types.ObjectId;
  name: string;
  /** Department code (health, education, …). */
  department: string;
  /** Connector id from the registry (csv, rest, …, or webhook). */
  connector: string;
  /** The connector's config, credentials sealed (see src/ingest/secrets.ts). */
  config: Record<string, unknown>;
  /** Declarative mapping spec (src/ingest/mapping), when the feed has one. */
  mapping: Record<string, unknown> | null;
  targetKind: FeedTargetKind;
  schedule: { cron: string | null; timezone: string };
  syncMode: SyncMode;
  cursorField: string | null;
  /** Org unit codes the feed may attach records to; empty means any. */
  orgScope: string[];
  reviewPolicy: ReviewPolicy;
  status: FeedStatus;
  owner: string | null;
  /** Largest share of active records a full refresh may withdraw without confirmation. */
  withdrawalGuard: number;
  runTimeoutMs: number;
  /** Sealed HMAC key for webhook pushes. */
  webhookSecret: string | null;
  /** Reader state checkpointed by incremental runs. */
  state: Record<string, unknown> | null;
  lastRun: FeedLastRun;
  lastSuccessAt: Date | null;
  failureStreak: number;
  createdAt: Date;
  updatedAt: Date;
}

export type FeedModel = Model<FeedDoc>;

export const feedSchema = new Schema<FeedDoc>(
  {
    name: { type: String, required: true, trim: true },
    department: { type: String, required: true },
    connector: { type: String, required: true },
    config: { type: Schema.Types.Mixed, default: {} },
    mapping: { type: Schema.Types.Mixed, default: null },
    targetKind: { type: String, enum: FEED_TARGET_KINDS, required: true },
    schedule: {
      cron: { type: String, default: null },
      timezone: { type: String, default: DEFAULT_FEED_TIMEZONE },
    },
    syncMode: { type: String, enum: SYNC_MODES, default: 'FULL' },
    cursorField: { type: String, default: null },
    orgScope: { type: [String], default: [] },
    reviewPolicy: { type: String, enum: REVIEW_POLICIES, default: 'REQUIRE_REVIEW' },
    status: { type: String, enum: FEED_STATUSES, default: 'ACTIVE' },
    owner: { type: String, default: null },
    withdrawalGuard: { type: Number, default: DEFAULT_WITHDRAWAL_GUARD, min: 0, max: 1 },
    runTimeoutMs: { type: Number, default: DEFAULT_RUN_TIMEOUT_MS },
    webhookSecret: { type: String, default: null },
    state: { type: Schema.Types.Mixed, default: null },
    lastRun: {
      runId: { type: Schema.Types.ObjectId, default: null },
      status: { type: String, default: null },
      startedAt: { type: Date, default: null },
      finishedAt: { type: Date, default: null },
    },
    lastSuccessAt: { type: Date, default: null },
    failureStreak: { type: Number, default: 0 },
  },
  { collection: 'feeds', timestamps: true, minimize: false },
);
feedSchema.index({ name: 1 }, { unique: true });
feedSchema.index({ department: 1, status: 1 });

export function feedModel(connection: Connection): FeedModel {
  return (connection.models.Feed as FeedModel | undefined) ?? connection.model<FeedDoc>('Feed', feedSchema);
}
