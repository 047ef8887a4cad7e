import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * quarantine: source records the sync engine could not store, with the reasons. One entry
 * per (feed, sourceId) while it is open, refreshed by later runs. A CLASSIFIED record keeps
 * no payload at all (涉密信息不上网): only its source id and the reason.
 */

export const QUARANTINE_STATUSES = ['OPEN', 'REQUEUED', 'RESOLVED'] as const;
export const QUARANTINE_CODES = ['MAPPING', 'VALIDATION', 'CLASSIFIED', 'UNKNOWN_ORG_UNIT', 'OUT_OF_SCOPE'] as const;
export type QuarantineStatus = (typeof QUARANTINE_STATUSES)[number];
export type QuarantineCode = (typeof QUARANTINE_CODES)[number];

export interface QuarantineDoc {
  _id: Types.ObjectId;
  feed: Types.ObjectId;
  run: Types.ObjectId;
  sourceId: string;
  code: QuarantineCode;
  reasons: string[];
  /** The raw record as the source gave it; null for CLASSIFIED records. */
  raw: Record<string, unknown> | null;
  status: QuarantineStatus;
  firstSeenAt: Date;
  lastSeenAt: Date;
  resolvedAt: Date | null;
}

export type QuarantineModel = Model<QuarantineDoc>;

export const quarantineSchema = new Schema<QuarantineDoc>(
  {
    feed: { type: Schema.Types.ObjectId, ref: 'Feed', required: true },
    run: { type: Schema.Types.ObjectId, ref: 'SyncRun', required: true },
    sourceId: { type: String, required: true },
    code: { type: String, enum: QUARANTINE_CODES, required: true },
    reasons: { type: [String], default: [] },
    raw: { type: Schema.Types.Mixed, default: null },
    status: { type: String, enum: QUARANTINE_STATUSES, default: 'OPEN' },
    firstSeenAt: { type: Date, required: true },
    lastSeenAt: { type: Date, required: true },
    resolvedAt: { type: Date, default: null },
  },
  { collection: 'quarantine', minimize: false },
);
quarantineSchema.index({ feed: 1, sourceId: 1 });
quarantineSchema.index({ feed: 1, status: 1, lastSeenAt: -1 });

export function quarantineModel(connection: Connection): QuarantineModel {
  return (
    (connection.models.Quarantine as QuarantineModel | undefined) ??
    connection.model<QuarantineDoc>('Quarantine', quarantineSchema)
  );
}
