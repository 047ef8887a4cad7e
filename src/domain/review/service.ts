import { randomUUID } from 'node:crypto';
import { Types, type FilterQuery } from 'mongoose';
import type {
  Models,
  OrgAnchors,
  ProposedContent,
  ResourceBase,
  ReviewCaseDoc,
  ReviewCommentDoc,
  ReviewOutcome,
  Submitter,
} from '../../db/index.js';
import { computeSearchTerms, type Searchable } from '../../search/index.js';
import { AccessError, authorize, forbidden, isAllowed, notFound, requireUser, rolesOf, type AccessTarget } from '../access/index.js';
import { contentHashOf, type AuditTrail } from '../audit/index.js';
import { normalizedRecordSchema, type NormalizedRecord } from '../catalog/normalized-record.js';
import { InvalidInputError } from '../errors.js';
import { decodeCursor, encodeCursor, type CursorPosition } from '../pagination/index.js';
import { placementForCodes } from '../org/index.js';
import { visible, type Viewer } from '../visibility/index.js';
import { applyProposal, contentOf, diffContent, type FieldChange } from './content.js';

export const CLASSIFIED_REFUSED = new InvalidInputError(
  '涉密信息不上网：涉密内容不得发布',
  'Classified material is never stored: it cannot be published',
  'input.confidentiality',
);

const SELF_REVIEW = (): AccessError => new AccessError('FORBIDDEN', '不能审核自己提交的内容', 'You cannot review your own submission');
const CASE_MOVED = (): AccessError =>
  new AccessError('CONFLICT', '审核状态已变化，请刷新后重试', 'The review moved on meanwhile; reload and try again');
const CHANGED_DURING_REVIEW = (): AccessError =>
  new AccessError('CONFLICT', '内容在审核期间已更新，已重新从第一阶段审核', 'The content changed during review; review restarted at the first stage');

/** Record fields that are not stored as such (the key lives in provenance, codes become ids). */
const NOT_STORED = new Set(['sourceId', 'orgUnitCodes']);
const KIND_FIELDS: Record<NormalizedRecord['kind'], readonly string[]> = {
  SERVICE: Object.keys(normalizedRecordSchema.options[0].shape),
  POLICY: Object.keys(normalizedRecordSchema.options[1].shape),
  EVENT: Object.keys(normalizedRecordSchema.options[2].shape),
};

export interface QueueArgs {
  stage?: string | null;
  orgUnitCode?: string | null;
  /** Only cases the viewer may decide now (default); false: every open case in scope. */
  mine?: boolean | null;
  first?: number | null;
  /** The endCursor of the previous page. */
  after?: string | null;
}

export interface ReviewQueue {
  totalCount: number;
  byStage: { value: string; count: number }[];
  items: ReviewCaseDoc[];
  hasNextPage: boolean;
  endCursor: string | null;
}

/** The queue's order: oldest submission first; cursors name their order. */
const QUEUE_ORDER = 'submittedAt';

export interface StageTime {
  stage: string;
  decided: number;
  averageSeconds: number;
  maxSeconds: number;
}

function targetOf(item: Pick<ReviewCaseDoc, 'orgPaths' | 'department'> | Pick<ResourceBase, 'orgPaths' | 'department'>, stage?: string): AccessTarget {
  return { orgPaths: item.orgPaths, department: item.department, ...(stage ? { stage } : {}) };
}

function parseRecord(input: unknown): NormalizedRecord {
  if (typeof input === 'object' && input !== null && (input as { confidentiality?: unknown }).confidentiality === 'CLASSIFIED') throw CLASSIFIED_REFUSED;
  const parsed = normalizedRecordSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidInputError(`内容无效：${issue.path.join('.')} ${issue.message}`, `Invalid record: ${issue.path.join('.')} ${issue.message}`, `input.${issue.path.join('.')}`);
  }
  return parsed.data;
}

/**
 * The review workflow (三审三校): stages in order, each decided by a reviewer assigned to it
 * within scope; approval at the last stage publishes; a rejection returns the content to its
 * source with the reason. A change to published content waits in a REVISION case while the
 * published version stays visible. Every decision is audited, every published version kept.
 */
export class ReviewService {
  constructor(
    private readonly models: Models,
    readonly stages: readonly string[],
  ) {}

  private async visibleResource(viewer: Viewer, id: Types.ObjectId): Promise<ResourceBase> {
    const resource = await this.models.Resource.findOne(visible(viewer, { _id: id })).lean<ResourceBase>().exec();
    if (!resource) throw notFound('资源', 'Resource');
    return resource;
  }

  /** A resource visible to the viewer whose review records they may read; NOT_FOUND otherwise. */
  private async overseenResource(viewer: Viewer, id: Types.ObjectId): Promise<ResourceBase> {
    requireUser(viewer);
    const resource = await this.visibleResource(viewer, id);
    if (!isAllowed(viewer, 'review.read', targetOf(resource))) throw notFound('资源', 'Resource');
    return resource;
  }

  private newCase(resource: ResourceBase, kind: ReviewCaseDoc['kind'], submitter: Submitter, proposed: ProposedContent | null, now: Date): ReviewCaseDoc {
    const first = this.stages[0]!;
    const placement = proposed?.set.orgPaths
      ? { orgPaths: proposed.set.orgPaths as Types.ObjectId[], orgUnits: proposed.set.orgUnits as Types.ObjectId[], orgAnchors: proposed.set.orgAnchors as OrgAnchors | undefined }
      : { orgPaths: resource.orgPaths, orgUnits: resource.orgUnits, orgAnchors: resource.orgAnchors };
    return {
      _id: new Types.ObjectId(),
      resource: resource._id,
      kind,
      state: 'IN_REVIEW',
      openKey: resource._id.toHexString(),
      stages: [...this.stages],
      stageIndex: 0,
      stage: first,
      stageLog: [{ stage: first, enteredAt: now, decidedAt: null }],
      submitter,
      submittedAt: now,
      proposed,
      contentHash: contentHashOf(proposed ? applyProposal(contentOf(resource), proposed) : contentOf(resource)),
      baseVersion: resource.version,
      department: String(proposed?.set.department ?? resource.department),
      orgPaths: placement.orgPaths,
      orgUnits: placement.orgUnits,
      ...(placement.orgAnchors ? { orgAnchors: placement.orgAnchors } : {}),
      decisions: [],
      rejectionReason: null,
      closedAt: null,
    };
  }

  /** Closes the resource's open case as SUPERSEDED, if there is one. */
  private async supersedeOpenCase(resourceId: Types.ObjectId, now: Date): Promise<void> {
    const open = await this.models.ReviewCase.findOne({ openKey: resourceId.toHexString() }, { _id: 1 }).lean();
    if (!open) return;
    await this.models.ReviewCase.updateOne(
      { _id: open._id, state: 'IN_REVIEW' },
      { $set: { state: 'SUPERSEDED', stage: null, closedAt: now, openKey: `${resourceId.toHexString()}:${open._id.toHexString()}` } },
    );
  }

  private async openCase(resource: ResourceBase, kind: ReviewCaseDoc['kind'], submitter: Submitter, proposed: ProposedContent | null): Promise<ReviewCaseDoc> {
    const now = new Date();
    await this.supersedeOpenCase(resource._id, now);
    const created = this.newCase(resource, kind, submitter, proposed, now);
    await this.models.ReviewCase.collection.insertOne(created);
    return created;
  }

  /**
   * The open case of a resource. A PENDING resource from a feed has none until someone looks:
   * it is opened then, submitted by the feed at the resource's last update. A NEW case whose
   * resource changed since it opened (a revision during review) restarts at the first stage.
   */
  private async currentCase(resource: ResourceBase): Promise<{ reviewCase: ReviewCaseDoc | null; restarted: boolean }> {
    const open = await this.models.ReviewCase.findOne({ openKey: resource._id.toHexString() }).lean();
    if (resource.status !== 'PENDING') return { reviewCase: open?.kind === 'REVISION' ? open : null, restarted: false };
    if (open && open.kind === 'NEW' && open.baseVersion === resource.version) return { reviewCase: open, restarted: false };
    const submitter: Submitter = open
      ? { ...open.submitter }
      : { userId: null, name: null, feedId: resource.provenance[0]?.feedId ?? null };
    const reviewCase = await this.openCase(resource, 'NEW', submitter, null);
    if (!open) {
      await this.models.ReviewCase.updateOne({ _id: reviewCase._id }, { $set: { submittedAt: resource.updatedAt, 'stageLog.0.enteredAt': resource.updatedAt } });
      reviewCase.submittedAt = resource.updatedAt;
      reviewCase.stageLog[0]!.enteredAt = resource.updatedAt;
    }
    return { reviewCase, restarted: open !== null };
  }

  private async storedFields(record: NormalizedRecord): Promise<{ set: Record<string, unknown>; unset: string[] }> {
    const { placement, unknownCodes } = await placementForCodes(this.models, record.orgUnitCodes);
    if (unknownCodes.length > 0) {
      throw new InvalidInputError(`未知组织编码：${unknownCodes.join('、')}`, `Unknown org unit codes: ${unknownCodes.join(', ')}`, 'input.orgUnitCodes');
    }
    if (placement.orgUnits.length === 0) throw new InvalidInputError('至少需要一个组织', 'At least one org unit is required', 'input.orgUnitCodes');
    const set: Record<string, unknown> = { ...placement };
    const unset: string[] = [];
    const values = record as unknown as Record<string, unknown>;
    for (const field of KIND_FIELDS[record.kind]) {
      if (NOT_STORED.has(field)) continue;
      if (values[field] === undefined) unset.push(field);
      else set[field] = values[field];
    }
    set.searchTerms = computeSearchTerms(set as unknown as Searchable);
    return { set, unset };
  }

  /** 人工发布: an org or department admin publishes a resource by hand; it enters review. */
  async submit(viewer: Viewer, audit: AuditTrail, input: unknown): Promise<ReviewCaseDoc> {
    requireUser(viewer);
    const record = parseRecord({ sourceId: `manual:${randomUUID()}`, ...(input as object) });
    const { set } = await this.storedFields(record);
    authorize(viewer, 'resource.submit', { orgPaths: set.orgPaths as Types.ObjectId[], department: record.department });
    if (!(await this.models.Department.exists({ code: record.department }))) {
      throw new InvalidInputError(`未知部门 ${record.department}`, `Unknown department ${record.department}`, 'input.department');
    }
    const now = new Date();
    const resource = { _id: new Types.ObjectId(), ...set, status: 'PENDING', provenance: [], version: 1, createdAt: now, updatedAt: now };
    await this.models.Resource.collection.insertOne(resource);
    const stored = resource as unknown as ResourceBase;
    const reviewCase = await this.openCase(stored, 'NEW', { userId: viewer.userId, name: viewer.username, feedId: null }, null);
    await audit.record({ action: 'resource.submit', outcome: 'SUCCESS', target: this.auditTarget(stored), after: contentOf(stored) });
    return reviewCase;
  }

  /**
   * Changes a resource's content. Unpublished content changes in place and review restarts;
   * published content stays as it is and the change waits in a REVISION case.
   */
  async revise(viewer: Viewer, audit: AuditTrail, resourceId: Types.ObjectId, changes: unknown): Promise<ReviewCaseDoc> {
    requireUser(viewer);
    const resource = await this.visibleResource(viewer, resourceId);
    authorize(viewer, 'resource.submit', targetOf(resource));
    if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) {
      throw new InvalidInputError('修改内容应为对象', 'Changes must be an object', 'changes');
    }
    const current = contentOf(resource);
    const codes = (await this.models.OrgUnit.find({ _id: { $in: resource.orgUnits } }, { code: 1 }).lean()).map((unit) => unit.code);
    const record = parseRecord({ ...current, orgUnitCodes: codes, sourceId: 'revision', ...changes, kind: resource.kind });
    const proposed = await this.storedFields(record);
    authorize(viewer, 'resource.submit', { orgPaths: proposed.set.orgPaths as Types.ObjectId[], department: record.department });
    const submitter: Submitter = { userId: viewer.userId, name: viewer.username, feedId: null };
    const after = applyProposal(current, proposed);
    if (resource.status === 'PUBLISHED') {
      const reviewCase = await this.openCase(resource, 'REVISION', submitter, proposed);
      await audit.record({ action: 'resource.revise', outcome: 'SUCCESS', target: this.auditTarget(resource), before: current, after, detail: 'pending revision' });
      return reviewCase;
    }
    const unset = Object.fromEntries(proposed.unset.map((field) => [field, '']));
    const updated = await this.models.Resource.collection.findOneAndUpdate(
      { _id: resource._id, version: resource.version },
      { $set: { ...proposed.set, status: 'PENDING', updatedAt: new Date() }, $unset: unset, $inc: { version: 1 } },
      { returnDocument: 'after' },
    );
    if (!updated) throw CASE_MOVED();
    const reviewCase = await this.openCase(updated as unknown as ResourceBase, 'NEW', submitter, null);
    await audit.record({ action: 'resource.revise', outcome: 'SUCCESS', target: this.auditTarget(resource), before: current, after });
    return reviewCase;
  }

  /** Opens a REVISION case of a published resource (used for feed changes). */
  openRevision(resource: ResourceBase, submitter: Submitter, proposed: ProposedContent): Promise<ReviewCaseDoc> {
    return this.openCase(resource, 'REVISION', submitter, proposed);
  }

  /** One reviewer's decision at the case's current stage. */
  async decide(viewer: Viewer, audit: AuditTrail, resourceId: Types.ObjectId, outcome: ReviewOutcome, comment: string): Promise<ReviewCaseDoc> {
    requireUser(viewer);
    const resource = await this.visibleResource(viewer, resourceId);
    const { reviewCase, restarted } = await this.currentCase(resource);
    if (!reviewCase) {
      if (!isAllowed(viewer, 'review.read', targetOf(resource))) throw notFound('资源', 'Resource');
      throw new AccessError('CONFLICT', '该资源没有待审内容', 'Nothing of this resource is awaiting review');
    }
    const stage = reviewCase.stage!;
    const target = targetOf(reviewCase, stage);
    if (!isAllowed(viewer, 'review.decide', target)) {
      await audit.record({ action: 'review.decide', outcome: 'DENIED', target: this.auditTarget(resource), detail: stage });
      throw forbidden();
    }
    if (restarted) throw CHANGED_DURING_REVIEW();
    if (reviewCase.submitter.userId?.equals(viewer.userId)) {
      await audit.record({ action: 'review.decide', outcome: 'DENIED', target: this.auditTarget(resource), detail: `${stage}: self-review` });
      throw SELF_REVIEW();
    }
    const reason = comment.trim();
    if (outcome === 'REJECT' && reason.length === 0) throw new InvalidInputError('退回必须说明理由', 'A rejection needs a reason', 'comment');
    const now = new Date();
    const decision = { reviewerId: viewer.userId, reviewerName: viewer.username, role: rolesOf(viewer), stage, outcome, comment: reason, at: now };
    const last = reviewCase.stageIndex === reviewCase.stages.length - 1;
    const closes = outcome === 'REJECT' || last;
    const next = reviewCase.stages[reviewCase.stageIndex + 1];
    const stageLog = reviewCase.stageLog.map((timing, index) => (index === reviewCase.stageIndex ? { ...timing, decidedAt: now } : timing));
    if (!closes) stageLog.push({ stage: next!, enteredAt: now, decidedAt: null });
    const set: Record<string, unknown> = { stageLog };
    if (closes) {
      Object.assign(set, {
        state: outcome === 'REJECT' ? 'REJECTED' : 'APPROVED',
        stage: null,
        closedAt: now,
        openKey: `${resource._id.toHexString()}:${reviewCase._id.toHexString()}`,
        rejectionReason: outcome === 'REJECT' ? reason : null,
      });
    } else {
      Object.assign(set, { stageIndex: reviewCase.stageIndex + 1, stage: next });
    }
    const updated = await this.models.ReviewCase.findOneAndUpdate(
      { _id: reviewCase._id, state: 'IN_REVIEW', stageIndex: reviewCase.stageIndex },
      { $set: set, $push: { decisions: decision } },
      { new: true },
    ).lean();
    if (!updated) throw CASE_MOVED();
    const before = contentOf(resource);
    let after: Record<string, unknown> = before;
    if (closes) after = await this.conclude(updated, resource, outcome);
    await audit.record({
      action: 'review.decide',
      outcome: 'SUCCESS',
      target: this.auditTarget(resource),
      before,
      after,
      detail: `${stage}: ${outcome}${reason ? ` — ${reason}` : ''}`,
    });
    return updated;
  }

  /** The last decision's effect on the resource; returns its content afterwards. */
  private async conclude(reviewCase: ReviewCaseDoc, resource: ResourceBase, outcome: ReviewOutcome): Promise<Record<string, unknown>> {
    const now = new Date();
    const { Resource } = this.models;
    if (reviewCase.kind === 'NEW') {
      const status = outcome === 'APPROVE' ? 'PUBLISHED' : 'REJECTED';
      await Resource.collection.updateOne({ _id: resource._id, status: 'PENDING' }, { $set: { status, updatedAt: now } });
      if (outcome === 'APPROVE') await this.keepVersion(resource._id, reviewCase._id);
      return contentOf(resource);
    }
    if (outcome === 'REJECT' || !reviewCase.proposed) return contentOf(resource);
    await this.keepVersion(resource._id, null);
    const unset = Object.fromEntries(reviewCase.proposed.unset.map((field) => [field, '']));
    await Resource.collection.updateOne(
      { _id: resource._id },
      { $set: { ...reviewCase.proposed.set, updatedAt: now }, $unset: unset, $inc: { version: 1 } },
    );
    await this.keepVersion(resource._id, reviewCase._id);
    return applyProposal(contentOf(resource), reviewCase.proposed);
  }

  /** Stores the resource's current content as its version, unless that version is kept already. */
  private async keepVersion(resourceId: Types.ObjectId, caseId: Types.ObjectId | null): Promise<void> {
    const current = await this.models.Resource.collection.findOne({ _id: resourceId });
    if (!current) return;
    const content = contentOf(current as unknown as ResourceBase);
    await this.models.ResourceVersion.collection.updateOne(
      { resource: resourceId, version: current.version as number },
      { $setOnInsert: { resource: resourceId, version: current.version, content, contentHash: contentHashOf(content), caseId, createdAt: new Date() } },
      { upsert: true },
    );
  }

  /** Takes a resource offline (WITHDRAWN); it can come back through review. */
  async withdraw(viewer: Viewer, audit: AuditTrail, resourceId: Types.ObjectId): Promise<ResourceBase> {
    requireUser(viewer);
    const resource = await this.visibleResource(viewer, resourceId);
    authorize(viewer, 'resource.withdraw', targetOf(resource));
    const now = new Date();
    await this.supersedeOpenCase(resource._id, now);
    await this.models.Resource.collection.updateOne({ _id: resource._id }, { $set: { status: 'WITHDRAWN', withdrawnAt: now, updatedAt: now } });
    await audit.record({ action: 'resource.withdraw', outcome: 'SUCCESS', target: this.auditTarget(resource), before: contentOf(resource), after: null, detail: `${resource.status} → WITHDRAWN` });
    return { ...resource, status: 'WITHDRAWN' };
  }

  /** 点评: a comment within scope, optionally flagging the resource for correction. */
  async comment(viewer: Viewer, audit: AuditTrail, resourceId: Types.ObjectId, body: string, flag: boolean): Promise<ReviewCommentDoc> {
    requireUser(viewer);
    const resource = await this.visibleResource(viewer, resourceId);
    authorize(viewer, 'resource.comment', targetOf(resource));
    const text = body.trim();
    if (text.length === 0 || text.length > 5000) throw new InvalidInputError('点评内容应为 1–5000 字', 'A comment needs 1–5000 characters', 'body');
    const comment: ReviewCommentDoc = {
      _id: new Types.ObjectId(),
      resource: resource._id,
      authorId: viewer.userId,
      authorName: viewer.username,
      role: rolesOf(viewer),
      body: text,
      flag,
      resolvedAt: null,
      at: new Date(),
      department: resource.department,
      orgPaths: resource.orgPaths,
    };
    await this.models.ReviewComment.collection.insertOne(comment);
    await audit.record({ action: flag ? 'resource.flag' : 'resource.comment', outcome: 'SUCCESS', target: this.auditTarget(resource), after: { body: text, flag } });
    return comment;
  }

  /** Marks a flag as dealt with; whoever may submit or comment on the resource may. */
  async resolveFlag(viewer: Viewer, audit: AuditTrail, commentId: Types.ObjectId): Promise<ReviewCommentDoc> {
    requireUser(viewer);
    const comment = await this.models.ReviewComment.findOne({ _id: commentId, flag: true }).lean();
    if (!comment) throw notFound('点评', 'Comment');
    await this.overseenResource(viewer, comment.resource).catch(() => {
      throw notFound('点评', 'Comment');
    });
    const target = targetOf(comment);
    if (!isAllowed(viewer, 'resource.submit', target) && !isAllowed(viewer, 'resource.comment', target)) throw forbidden();
    const resolved = await this.models.ReviewComment.findOneAndUpdate({ _id: commentId, resolvedAt: null }, { $set: { resolvedAt: new Date() } }, { new: true }).lean();
    if (!resolved) throw new AccessError('CONFLICT', '该标记已处理', 'The flag is resolved already');
    await audit.record({ action: 'resource.resolveFlag', outcome: 'SUCCESS', target: { type: 'ReviewComment', id: commentId.toHexString(), orgPaths: comment.orgPaths, department: comment.department } });
    return resolved;
  }

  /** Open cases in the viewer's scope (only those they may decide now, by default), with counts per stage. */
  async queue(viewer: Viewer, args: QueueArgs): Promise<ReviewQueue> {
    requireUser(viewer);
    const clauses: FilterQuery<ReviewCaseDoc>[] = [{ state: 'IN_REVIEW' }];
    if (args.orgUnitCode) {
      const unit = await this.models.OrgUnit.findOne({ code: args.orgUnitCode }, { _id: 1 }).lean();
      if (!unit) throw new InvalidInputError(`未知组织编码 ${args.orgUnitCode}`, `Unknown org unit code ${args.orgUnitCode}`, 'orgUnitCode');
      clauses.push({ orgPaths: unit._id });
    }
    await this.openFeedCases(viewer);
    const open = await this.models.ReviewCase.find({ $and: clauses }).sort({ submittedAt: 1, _id: 1 }).lean();
    const readable = await this.readableCases(viewer, open);
    const mine = args.mine ?? true;
    const candidates = mine
      ? readable.filter((item) => !item.submitter.userId?.equals(viewer.userId) && isAllowed(viewer, 'review.decide', targetOf(item, item.stage!)))
      : readable;
    const counts = new Map<string, number>(this.stages.map((stage) => [stage, 0]));
    for (const item of candidates) counts.set(item.stage!, (counts.get(item.stage!) ?? 0) + 1);
    const matching = args.stage ? candidates.filter((item) => item.stage === args.stage) : candidates;
    const first = Math.min(Math.max(args.first ?? 50, 0), 200);
    // A position, not an offset: cases decided meanwhile neither repeat nor skip the rest.
    const after = args.after ? decodeCursor(args.after, QUEUE_ORDER, 'after') : undefined;
    const rest = after ? matching.filter(isAfter(after)) : matching;
    const items = rest.slice(0, first);
    const last = items.at(-1);
    return {
      totalCount: matching.length,
      byStage: [...counts].map(([value, count]) => ({ value, count })),
      items,
      hasNextPage: rest.length > items.length,
      endCursor: last ? encodeCursor({ order: QUEUE_ORDER, value: last.submittedAt, id: last._id }) : null,
    };
  }

  /** Opens cases for PENDING resources the viewer can see that have none yet (they came from feeds). */
  private async openFeedCases(viewer: Viewer): Promise<void> {
    const pending = await this.models.Resource.find(visible(viewer, { status: 'PENDING' })).lean<ResourceBase[]>().exec();
    if (pending.length === 0) return;
    const open = await this.models.ReviewCase.find({ openKey: { $in: pending.map((resource) => resource._id.toHexString()) } }, { openKey: 1, kind: 1, baseVersion: 1 }).lean();
    const current = new Map(open.map((item) => [item.openKey, item]));
    for (const resource of pending) {
      const existing = current.get(resource._id.toHexString());
      if (existing?.kind === 'NEW' && existing.baseVersion === resource.version) continue;
      await this.currentCase(resource);
    }
  }

  /** The cases whose resource the viewer can see and whose review records they may read. */
  private async readableCases(viewer: Viewer, cases: ReviewCaseDoc[]): Promise<ReviewCaseDoc[]> {
    const overseen = cases.filter((item) => isAllowed(viewer, 'review.read', targetOf(item)));
    if (overseen.length === 0) return [];
    const ids = [...new Set(overseen.map((item) => item.resource.toHexString()))].map((id) => new Types.ObjectId(id));
    const seen = await this.models.Resource.find(visible(viewer, { _id: { $in: ids } }), { _id: 1 }).lean();
    const visibleIds = new Set(seen.map((resource) => resource._id.toHexString()));
    return overseen.filter((item) => visibleIds.has(item.resource.toHexString()));
  }

  /** Every case of a resource, newest first. */
  async history(viewer: Viewer, resourceId: Types.ObjectId): Promise<ReviewCaseDoc[]> {
    const resource = await this.overseenResource(viewer, resourceId);
    if (resource.status === 'PENDING') await this.currentCase(resource);
    return this.models.ReviewCase.find({ resource: resourceId }).sort({ submittedAt: -1, _id: -1 }).lean();
  }

  async comments(viewer: Viewer, resourceId: Types.ObjectId): Promise<ReviewCommentDoc[]> {
    await this.overseenResource(viewer, resourceId);
    return this.models.ReviewComment.find({ resource: resourceId }).sort({ at: -1, _id: -1 }).lean();
  }

  async versions(viewer: Viewer, resourceId: Types.ObjectId): Promise<{ version: number; createdAt: Date; contentHash: string }[]> {
    await this.overseenResource(viewer, resourceId);
    return this.models.ResourceVersion.find({ resource: resourceId }, { version: 1, createdAt: 1, contentHash: 1 }).sort({ version: -1 }).lean();
  }

  async diff(viewer: Viewer, resourceId: Types.ObjectId, fromVersion: number, toVersion: number): Promise<FieldChange[]> {
    await this.overseenResource(viewer, resourceId);
    const kept = await this.models.ResourceVersion.find({ resource: resourceId, version: { $in: [fromVersion, toVersion] } }).lean();
    const from = kept.find((item) => item.version === fromVersion);
    const to = kept.find((item) => item.version === toVersion);
    if (!from || !to) throw notFound('版本', 'Version');
    return diffContent(from.content, to.content);
  }

  /** What a case changes: a revision against the published content; a new resource against nothing. */
  async caseChanges(reviewCase: ReviewCaseDoc): Promise<FieldChange[]> {
    const resource = await this.models.Resource.findById(reviewCase.resource).lean<ResourceBase>().exec();
    if (!resource) return [];
    const current = contentOf(resource);
    return reviewCase.proposed ? diffContent(current, applyProposal(current, reviewCase.proposed)) : diffContent({}, current);
  }

  /** Time to publish per stage over decided stages in the viewer's scope, for reports. */
  async stageTimes(viewer: Viewer): Promise<StageTime[]> {
    authorize(viewer, 'report.run');
    const decided = await this.models.ReviewCase.find({ stageLog: { $elemMatch: { decidedAt: { $ne: null } } } }, { stageLog: 1, orgPaths: 1, department: 1 }).lean();
    const totals = new Map<string, { decided: number; sum: number; max: number }>();
    for (const item of decided) {
      if (!isAllowed(viewer, 'report.run', targetOf(item))) continue;
      for (const timing of item.stageLog) {
        if (!timing.decidedAt) continue;
        const seconds = (timing.decidedAt.getTime() - timing.enteredAt.getTime()) / 1000;
        const total = totals.get(timing.stage) ?? { decided: 0, sum: 0, max: 0 };
        totals.set(timing.stage, { decided: total.decided + 1, sum: total.sum + seconds, max: Math.max(total.max, seconds) });
      }
    }
    return this.stages.map((stage) => {
      const total = totals.get(stage) ?? { decided: 0, sum: 0, max: 0 };
      return { stage, decided: total.decided, averageSeconds: total.decided ? total.sum / total.decided : 0, maxSeconds: total.max };
    });
  }

  private auditTarget(resource: ResourceBase) {
    return { type: 'Resource', id: resource._id.toHexString(), orgPaths: resource.orgPaths, department: resource.department };
  }
}

/** A change a feed brought to a published resource, to wait for review as a revision. */
export interface FeedRevision {
  resourceId: Types.ObjectId;
  feedId: Types.ObjectId;
  proposed: ProposedContent;
}

/**
 * Opens REVISION cases for changes a sync brought to published resources (the published
 * version stays visible until approval). Idempotent: a change already waiting is not
 * re-opened; a newer change supersedes an older one and review restarts.
 */
export async function stageFeedRevisions(service: ReviewService, models: Pick<Models, 'Resource' | 'ReviewCase'>, revisions: FeedRevision[]): Promise<void> {
  for (const revision of revisions) {
    const resource = await models.Resource.findById(revision.resourceId).lean<ResourceBase>().exec();
    if (!resource || resource.status !== 'PUBLISHED') continue;
    const open = await models.ReviewCase.findOne({ openKey: resource._id.toHexString() }, { kind: 1, contentHash: 1 }).lean();
    const hash = contentHashOf(applyProposal(contentOf(resource), revision.proposed));
    if (open?.kind === 'REVISION' && open.contentHash === hash) continue;
    await service.openRevision(resource, { userId: null, name: null, feedId: revision.feedId }, revision.proposed);
  }
}

/** Whether a case comes after the cursor's position in queue order (submittedAt, then _id). */
function isAfter(position: CursorPosition): (item: ReviewCaseDoc) => boolean {
  const cursorAt = position.value instanceof Date ? position.value.getTime() : Number.NaN;
  const cursorId = position.id.toHexString();
  return (item) => {
    const at = item.submittedAt.getTime();
    return at > cursorAt || (at === cursorAt && item._id.toHexString() > cursorId);
  };
}
