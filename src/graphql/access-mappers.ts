/** Parent value types of the access, review and audit GraphQL types (src/graphql/codegen maps them). */
import type { AuditEntryDoc, ResourceVersionDoc, ReviewCaseDoc, ReviewCommentDoc, StoredGrant, UserDoc } from '../db/index.js';
import type { RoleGrant, Viewer } from '../domain/visibility/index.js';

export type UserModel = UserDoc;
/** A grant as stored (on users) or as resolved (on the viewer). */
export type RoleGrantModel = StoredGrant | RoleGrant;
export type ViewerModel = Viewer;
export type AuditEntryModel = AuditEntryDoc;
export type ReviewCaseModel = ReviewCaseDoc;
export type ReviewCommentModel = ReviewCommentDoc;
export type ResourceVersionModel = Pick<ResourceVersionDoc, 'version' | 'createdAt' | 'contentHash'>;
export type AuditEntryConnectionModel = {
  edges: { cursor: string; node: AuditEntryDoc }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: () => Promise<number>;
};
export type AuditEntryEdgeModel = { cursor: string; node: AuditEntryDoc };
