import { Schema, type Connection, type Model, type Types } from 'mongoose';

/** A role grant as stored: the scope by org unit id and department code (see domain/visibility RoleGrant). */
export interface StoredGrant {
  role: string;
  orgUnit: Types.ObjectId | null;
  /** The unit's ancestors when granted, so resolving a viewer is one lookup (org units rarely move). */
  orgAncestors: Types.ObjectId[];
  department: string | null;
  stages: string[];
}

/** users: the local user store (small deployments) and the role grants of external identities. */
export interface UserDoc {
  _id: Types.ObjectId;
  /** Login name; unique, lower-cased. */
  username: string;
  displayName: string;
  /** argon2id encoded hash; null for users who sign in through an external identity provider. */
  passwordHash: string | null;
  /** `sub` claim of the external identity provider's tokens, when the user signs in there. */
  externalSubject: string | null;
  grants: StoredGrant[];
  /** Consecutive failed logins since the last success. */
  failedLogins: number;
  lockedUntil: Date | null;
  lastLoginAt: Date | null;
  /** Soft delete: a deleted user's tokens stop working at once. */
  deletedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export type UserModel = Model<UserDoc>;

const grantSchema = new Schema<StoredGrant>(
  {
    role: { type: String, required: true },
    orgUnit: { type: Schema.Types.ObjectId, ref: 'OrgUnit', default: null },
    orgAncestors: { type: [Schema.Types.ObjectId], default: [] },
    department: { type: String, default: null },
    stages: { type: [String], default: [] },
  },
  { _id: false },
);

export const userSchema = new Schema<UserDoc>(
  {
    username: { type: String, required: true, trim: true, lowercase: true },
    displayName: { type: String, required: true, trim: true },
    passwordHash: { type: String, default: null },
    externalSubject: { type: String, default: null },
    grants: { type: [grantSchema], default: [] },
    failedLogins: { type: Number, default: 0 },
    lockedUntil: { type: Date, default: null },
    lastLoginAt: { type: Date, default: null },
    deletedAt: { type: Date, default: null },
  },
  { collection: 'users', timestamps: true },
);
userSchema.index({ username: 1 }, { unique: true });
userSchema.index({ externalSubject: 1 });

export function userModel(connection: Connection): UserModel {
  return (connection.models.User as UserModel | undefined) ?? connection.model<UserDoc>('User', userSchema);
}
