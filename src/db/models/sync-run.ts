import { Schema, type Connection, type Model, type Types } from 'mongoose';

/** syncRuns: one document per run of a feed, its counts, its outcome and its cursor states. */

export const RUN_TRIGGERS = ['MANUAL', 'SCHEDULE', 'WEBHOOK', 'UPLOAD', 'CLI', 'REQUEUE'] as const;
export const RUN_STATUSES = ['RUNNING', 'SUCCEEDED', 'PARTIAL', 'FAILED', 'HELD'] as const;
export const ERROR_CLASSES = ['CONFIG', 'SOURCE_UNREACHABLE', 'SOURCE_DATA', 'INTERNAL'] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];
export type RunStatus = (typeof RUN_STATUSES)[number];
export type ErrorClass = (typeof ERROR_CLASSES)[number];

export interface SyncStats {
  fetched: number;
  created: number;
  updated: number;
  unchanged: number;
  withdrawn: number;
  quarantined: number;
}

export interface SyncRunError {
  class: ErrorClass;
  message: string;
  origin: string;
}

export interface HeldWithdrawal {
  activeBefore: number;
  toWithdraw: number;
  confirmedAt: Date | null;
  confirmedBy: string | null;
}

export interface SyncRunDoc {
  _id: Types.ObjectId;
  feed: Types.ObjectId;
  trigger: RunTrigger;
  attempt: number;
  /** The hub instance that ran it (host:pid:random). */
  instance: string;
  startedAt: Date;
  finishedAt: Date | null;
  status: RunStatus;
  stats: SyncStats;
  error: SyncRunError | null;
  /** Did the reader announce a complete snapshot? */
  complete: boolean;
  stateBefore: Record<string, unknown> | null;
  stateAfter: Record<string, unknown> | null;
  /** Set when the drop guard held a full refresh's withdrawals for an admin's confirmation. */
  held: HeldWithdrawal | null;
}

export type SyncRunModel = Model<SyncRunDoc>;

const statsSchema = new Schema<SyncStats>(
  {
    fetched: { type: Number, default: 0 },
    created: { type: Number, default: 0 },
    updated: { type: Number, default: 0 },
    unchanged: { type: Number, default: 0 },
    withdrawn: { type: Number, default: 0 },
    quarantined: { type: Number, default: 0 },
  },
  { _id: false },
);

export const syncRunSchema = new Schema<SyncRunDoc>(
  {
    feed: { type: Schema.Types.ObjectId, ref: 'Feed', required: true },
    trigger: { type: String, enum: RUN_TRIGGERS, required: true },
    attempt: { type: Number, default: 1 },
    instance: { type: String, required: true },
    startedAt: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
    status: { type: String, enum: RUN_STATUSES, default: 'RUNNING' },
    stats: { type: statsSchema, default: () => ({}) },
    error: {
      type: new Schema<SyncRunError>(
        { class: { type: String, enum: ERROR_CLASSES }, message: String, origin: String },
        { _id: false },
      ),
      default: null,
    },
    complete: { type: Boolean, default: false },
    stateBefore: { type: Schema.Types.Mixed, default: null },
    stateAfter: { type: Schema.Types.Mixed, default: null },
    held: {
      type: new Schema<HeldWithdrawal>(
        {
          activeBefore: Number,
          toWithdraw: Number,
          confirmedAt: { type: Date, default: null },
          confirmedBy: { type: String, default: null },
        },
        { _id: false },
      ),
      default: null,
    },
  },
  { collection: 'syncRuns', minimize: false },
);
syncRunSchema.index({ feed: 1, startedAt: -1 });
syncRunSchema.index({ status: 1 });

export function syncRunModel(connection: Connection): SyncRunModel {
  return (connection.models.SyncRun as SyncRunModel | undefined) ?? connection.model<SyncRunDoc>('SyncRun', syncRunSchema);
}
