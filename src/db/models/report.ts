import { Schema, type Connection, type Model, type Types } from 'mongoose';

/**
 * reportDefinitions: saved reports; reportSnapshots: their results at a point in time, so
 * trends stay visible after the underlying data changed.
 */

/** A grant as a scheduled snapshot runs it: the saver's scope when the report was saved. */
export interface StoredReportGrant {
  role: string;
  orgUnit: { id: Types.ObjectId; ancestors: Types.ObjectId[] } | null;
  department: string | null;
  stages: string[];
}

export interface ReportDefinitionDoc {
  _id: Types.ObjectId;
  name: string;
  /** The report input as the API takes it (built-in name and options, or measures × dimensions × filter). */
  input: Record<string, unknown>;
  /** node-cron expression in Asia/Shanghai; null: no snapshots. */
  schedule: string | null;
  ownerId: Types.ObjectId;
  ownerName: string;
  ownerGrants: StoredReportGrant[];
  /** The saver's scope units and their ancestors; empty for an unscoped saver (visible to unscoped viewers only). */
  orgPaths: Types.ObjectId[];
  scopeAll: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface ReportSnapshotDoc {
  _id: Types.ObjectId;
  report: Types.ObjectId;
  takenAt: Date;
  /** The cron slot it was taken for (null for a manual snapshot). */
  slot: string | null;
  table: Record<string, unknown>;
}

export type ReportDefinitionModel = Model<ReportDefinitionDoc>;
export type ReportSnapshotModel = Model<ReportSnapshotDoc>;

const reportDefinitionSchema = new Schema<ReportDefinitionDoc>(
  {
    name: { type: String, required: true, trim: true, maxlength: 200 },
    input: { type: Schema.Types.Mixed, required: true },
    schedule: { type: String, default: null },
    ownerId: { type: Schema.Types.ObjectId, required: true },
    ownerName: { type: String, required: true },
    ownerGrants: { type: Schema.Types.Mixed, default: [] },
    orgPaths: { type: [Schema.Types.ObjectId], default: [] },
    scopeAll: { type: Boolean, default: false },
  },
  { collection: 'reportDefinitions', timestamps: true, minimize: false },
);
reportDefinitionSchema.index({ orgPaths: 1 });
reportDefinitionSchema.index({ schedule: 1 });

const reportSnapshotSchema = new Schema<ReportSnapshotDoc>(
  {
    report: { type: Schema.Types.ObjectId, required: true },
    takenAt: { type: Date, required: true },
    slot: { type: String, default: null },
    table: { type: Schema.Types.Mixed, required: true },
  },
  { collection: 'reportSnapshots', versionKey: false, minimize: false },
);
reportSnapshotSchema.index({ report: 1, takenAt: -1 });

export interface ReportModels {
  ReportDefinition: ReportDefinitionModel;
  ReportSnapshot: ReportSnapshotModel;
}

export function reportModels(connection: Connection): ReportModels {
  return {
    ReportDefinition:
      (connection.models.ReportDefinition as ReportDefinitionModel | undefined) ?? connection.model<ReportDefinitionDoc>('ReportDefinition', reportDefinitionSchema),
    ReportSnapshot:
      (connection.models.ReportSnapshot as ReportSnapshotModel | undefined) ?? connection.model<ReportSnapshotDoc>('ReportSnapshot', reportSnapshotSchema),
  };
}
