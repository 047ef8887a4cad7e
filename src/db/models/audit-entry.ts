import { Schema, type Connection, type Model, type Types } from 'mongoose';

export const AUDIT_OUTCOMES = ['SUCCESS', 'FAILURE', 'DENIED'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** auditLog: append-only. Written with insertOne only; the model refuses every update and delete. */
export interface AuditEntryDoc {
  _id: Types.ObjectId;
  at: Date;
  actorId: Types.ObjectId | null;
  /** Username, or the attempted one for a failed login; null for anonymous. */
  actorName: string | null;
  /** The actor's roles at the time (comma-separated), or ANONYMOUS. */
  role: string;
  /** e.g. auth.login, review.decide, resource.submit, mutation.registerFeed, export.report */
  action: string;
  outcome: AuditOutcome;
  targetType: string | null;
  targetId: string | null;
  beforeHash: string | null;
  afterHash: string | null;
  /** Free detail: a stage, a reason, the failing error code. */
  detail: string | null;
  requestId: string | null;
  ip: string | null;
  /** Org placement of the target (its orgPaths), so org admins can read entries within scope. */
  orgPaths: Types.ObjectId[];
  department: string | null;
}

export type AuditEntryModel = Model<AuditEntryDoc>;

export const auditEntrySchema = new Schema<AuditEntryDoc>(
  {
    at: { type: Date, required: true },
    actorId: { type: Schema.Types.ObjectId, default: null },
    actorName: { type: String, default: null },
    role: { type: String, required: true },
    action: { type: String, required: true },
    outcome: { type: String, enum: AUDIT_OUTCOMES, required: true },
    targetType: { type: String, default: null },
    targetId: { type: String, default: null },
    beforeHash: { type: String, default: null },
    afterHash: { type: String, default: null },
    detail: { type: String, default: null },
    requestId: { type: String, default: null },
    ip: { type: String, default: null },
    orgPaths: { type: [Schema.Types.ObjectId], default: [] },
    department: { type: String, default: null },
  },
  { collection: 'auditLog', versionKey: false },
);
auditEntrySchema.index({ at: -1, _id: -1 });
auditEntrySchema.index({ orgPaths: 1, at: -1 });
auditEntrySchema.index({ actorId: 1, at: -1 });
auditEntrySchema.index({ action: 1, at: -1 });

const REFUSED = ['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace', 'deleteOne', 'deleteMany', 'findOneAndDelete'] as const;
for (const operation of REFUSED) {
  auditEntrySchema.pre(operation, () => {
    throw new Error('审计日志只能追加 / The audit log is append-only');
  });
}

export function auditEntryModel(connection: Connection): AuditEntryModel {
  return (connection.models.AuditEntry as AuditEntryModel | undefined) ?? connection.model<AuditEntryDoc>('AuditEntry', auditEntrySchema);
}
