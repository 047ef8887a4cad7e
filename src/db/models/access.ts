import type { Connection } from 'mongoose';
import { auditEntryModel, type AuditEntryModel } from './audit-entry.js';
import {
  resourceVersionModel,
  reviewCaseModel,
  reviewCommentModel,
  type ResourceVersionModel,
  type ReviewCaseModel,
  type ReviewCommentModel,
} from './review.js';
import { userModel, type UserModel } from './user.js';

/** The models of identity, review and audit (issue 5), bound to one connection. */
export interface AccessModels {
  User: UserModel;
  AuditEntry: AuditEntryModel;
  ReviewCase: ReviewCaseModel;
  ResourceVersion: ResourceVersionModel;
  ReviewComment: ReviewCommentModel;
}

export function accessModels(connection: Connection): AccessModels {
  return {
    User: userModel(connection),
    AuditEntry: auditEntryModel(connection),
    ReviewCase: reviewCaseModel(connection),
    ResourceVersion: resourceVersionModel(connection),
    ReviewComment: reviewCommentModel(connection),
  };
}
