import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { orgAnchorsSchema, type OrgAnchors } from './org-unit.js';

/** reviewCases, resourceVersions, reviewComments: the review workflow's records (domain/review). */

export const REVIEW_CASE_KINDS = ['NEW', 'REVISION'] as const;
export const REVIEW_CASE_STATES = ['IN_REVIEW', 'APPROVED', 'REJECTED', 'SUPERSEDED'] as const;
export const REVIEW_OUTCOMES = ['APPROVE', 'REJECT'] as const;
export type ReviewCaseKind = (typeof REVIEW_CASE_KINDS)[number];
export type ReviewCaseState = (typeof REVIEW_CASE_STATES)[number];
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

export interface ReviewDecision {
  reviewerId: Types.ObjectId;
  reviewerName: string;
  role: string;
  stage: string;
  outcome: ReviewOutcome;
  comment: string;
  at: Date;
}

/** How long one stage held the case: for time-to-publish per stage in reports. */
export interface StageTiming {
  stage: string;
  enteredAt: Date;
  decidedAt: Date | null;
}

export interface Submitter {
  userId: Types.ObjectId | null;
  name: string | null;
  feedId: Types.ObjectId | null;
}

/** Content changes a revision proposes: the fields to set and to unset on approval. */
export interface ProposedContent {
  set: Record<string, unknown>;
  unset: string[];
}

/** One submission under review: a new resource (NEW) or a change to a published one (REVISION). */
export interface ReviewCaseDoc {
  _id: Types.ObjectId;
  resource: Types.ObjectId;
  kind: ReviewCaseKind;
  state: ReviewCaseState;
  /** The resource id while the case is open, so each resource has at most one open case. */
  openKey: string;
  stages: string[];
  stageIndex: number;
  /** The current stage's name while open; null once closed. */
  stage: string | null;
  stageLog: StageTiming[];
  submitter: Submitter;
  submittedAt: Date;
  /** REVISION only: what changes on approval; the published version stays until then. */
  proposed: ProposedContent | null;
  contentHash: string | null;
  baseVersion: number;
  department: string;
  orgPaths: Types.ObjectId[];
  /**
   * The units the resource is attached to (`orgPaths` holds them and their ancestors): reports
   * roll cases up from these. Cases opened before it was recorded hold their `orgPaths` here
   * (ensureReviewCaseUnits), which rolls up the same.
   */
  orgUnits?: Types.ObjectId[];
  /** The resource's roll-up anchors per level (see ResourceBase.orgAnchors). */
  orgAnchors?: OrgAnchors;
  decisions: ReviewDecision[];
  rejectionReason: string | null;
  closedAt: Date | null;
}

/** A published version's content, kept so the API can show what changed between versions. */
export interface ResourceVersionDoc {
  _id: Types.ObjectId;
  resource: Types.ObjectId;
  version: number;
  content: Record<string, unknown>;
  contentHash: string;
  caseId: Types.ObjectId | null;
  createdAt: Date;
}

/** 点评: a comment by an org admin or reviewer, optionally flagging the resource for correction. */
export interface ReviewCommentDoc {
  _id: Types.ObjectId;
  resource: Types.ObjectId;
  authorId: Types.ObjectId;
  authorName: string;
  role: string;
  body: string;
  /** 要求整改: the resource needs correction. */
  flag: boolean;
  resolvedAt: Date | null;
  at: Date;
  department: string;
  orgPaths: Types.ObjectId[];
}

export type ReviewCaseModel = Model<ReviewCaseDoc>;
export type ResourceVersionModel = Model<ResourceVersionDoc>;
export type ReviewCommentModel = Model<ReviewCommentDoc>;

export const REVIEW_CASES_COLLECTION = 'reviewCases';

const reviewCaseSchema = new Schema<ReviewCaseDoc>(
  {
    resource: { type: Schema.Types.ObjectId, required: true },
    kind: { type: String, enum: REVIEW_CASE_KINDS, required: true },
    state: { type: String, enum: REVIEW_CASE_STATES, required: true },
    openKey: { type: String, required: true },
    stages: { type: [String], required: true },
    stageIndex: { type: Number, required: true },
    stage: { type: String, default: null },
    stageLog: { type: [{ _id: false, stage: String, enteredAt: Date, decidedAt: Date }], default: [] },
    submitter: {
      userId: { type: Schema.Types.ObjectId, default: null },
      name: { type: String, default: null },
      feedId: { type: Schema.Types.ObjectId, default: null },
    },
    submittedAt: { type: Date, required: true },
    proposed: { type: Schema.Types.Mixed, default: null },
    contentHash: { type: String, default: null },
    baseVersion: { type: Number, required: true },
    department: { type: String, required: true },
    orgPaths: { type: [Schema.Types.ObjectId], default: [] },
    // No default: a case read before ensureReviewCaseUnits filled it must not be saved with none.
    orgUnits: { type: [Schema.Types.ObjectId], default: undefined },
    orgAnchors: { type: orgAnchorsSchema, default: undefined },
    decisions: {
      type: [
        {
          _id: false,
          reviewerId: Schema.Types.ObjectId,
          reviewerName: String,
          role: String,
          stage: String,
          outcome: { type: String, enum: REVIEW_OUTCOMES },
          comment: String,
          at: Date,
        },
      ],
      default: [],
    },
    rejectionReason: { type: String, default: null },
    closedAt: { type: Date, default: null },
  },
  { collection: REVIEW_CASES_COLLECTION, versionKey: false, minimize: false },
);
reviewCaseSchema.index({ openKey: 1 }, { unique: true });
reviewCaseSchema.index({ state: 1, orgPaths: 1, stage: 1 });
reviewCaseSchema.index({ resource: 1, submittedAt: -1 });

const resourceVersionSchema = new Schema<ResourceVersionDoc>(
  {
    resource: { type: Schema.Types.ObjectId, required: true },
    version: { type: Number, required: true },
    content: { type: Schema.Types.Mixed, required: true },
    contentHash: { type: String, required: true },
    caseId: { type: Schema.Types.ObjectId, default: null },
    createdAt: { type: Date, required: true },
  },
  { collection: 'resourceVersions', versionKey: false, minimize: false },
);
resourceVersionSchema.index({ resource: 1, version: -1 }, { unique: true });

const reviewCommentSchema = new Schema<ReviewCommentDoc>(
  {
    resource: { type: Schema.Types.ObjectId, required: true },
    authorId: { type: Schema.Types.ObjectId, required: true },
    authorName: { type: String, required: true },
    role: { type: String, required: true },
    body: { type: String, required: true },
    flag: { type: Boolean, default: false },
    resolvedAt: { type: Date, default: null },
    at: { type: Date, required: true },
    department: { type: String, required: true },
    orgPaths: { type: [Schema.Types.ObjectId], default: [] },
  },
  { collection: 'reviewComments', versionKey: false },
);
reviewCommentSchema.index({ resource: 1, at: -1 });

export function reviewCaseModel(connection: Connection): ReviewCaseModel {
  return (connection.models.ReviewCase as ReviewCaseModel | undefined) ?? connection.model<ReviewCaseDoc>('ReviewCase', reviewCaseSchema);
}

export function resourceVersionModel(connection: Connection): ResourceVersionModel {
  return (connection.models.ResourceVersion as ResourceVersionModel | undefined) ?? connection.model<ResourceVersionDoc>('ResourceVersion', resourceVersionSchema);
}

export function reviewCommentModel(connection: Connection): ReviewCommentModel {
  return (connection.models.ReviewComment as ReviewCommentModel | undefined) ?? connection.model<ReviewCommentDoc>('ReviewComment', reviewCommentSchema);
}
