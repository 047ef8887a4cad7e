import { createHash } from 'node:crypto';
import type { FilterQuery, Types } from 'mongoose';
import type { AuditEntryDoc, AuditEntryModel, AuditOutcome, Models } from '../../db/index.js';
import { authorize, rolesOf } from '../access/index.js';
import { paginate, preparePage, type Page, type PageArgs } from '../pagination/index.js';
import type { Viewer } from '../visibility/index.js';

/**
 * The append-only audit log. Each request gets an AuditTrail bound to its viewer, request id
 * and client address; services call record() for every mutation, review decision, login and
 * export. Entries are inserted and never changed: the model refuses updates and deletes, and
 * the API offers only reads.
 */

export interface AuditTarget {
  type: string;
  id: string;
  orgPaths?: readonly Types.ObjectId[];
  department?: string | null;
}

export interface AuditEvent {
  action: string;
  outcome: AuditOutcome;
  target?: AuditTarget;
  before?: unknown;
  after?: unknown;
  detail?: string;
  /** Overrides the viewer's name, e.g. the attempted username of a failed login. */
  actorName?: string;
  actorId?: Types.ObjectId;
}

/** SHA-256 of the value's canonical JSON (keys sorted; ids and dates as their JSON strings). */
export function contentHashOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return createHash('sha256').update(canonicalJson(JSON.parse(JSON.stringify(value)) as unknown)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
}

export class AuditTrail {
  /** Entries this request wrote; the audit plugin records bare mutations only when this stays 0. */
  recorded = 0;

  constructor(
    private readonly AuditEntry: AuditEntryModel,
    private readonly viewer: Viewer,
    private readonly requestId: string | null,
    private readonly ip: string | null,
  ) {}

  async record(event: AuditEvent): Promise<void> {
    const viewer = this.viewer;
    this.recorded += 1;
    await this.AuditEntry.collection.insertOne({
      at: new Date(),
      actorId: event.actorId ?? (viewer.kind === 'user' ? viewer.userId : null),
      actorName: event.actorName ?? (viewer.kind === 'user' ? viewer.username : null),
      role: rolesOf(viewer),
      action: event.action,
      outcome: event.outcome,
      targetType: event.target?.type ?? null,
      targetId: event.target?.id ?? null,
      beforeHash: contentHashOf(event.before),
      afterHash: contentHashOf(event.after),
      detail: event.detail ?? null,
      requestId: this.requestId,
      ip: this.ip,
      orgPaths: [...(event.target?.orgPaths ?? [])],
      department: event.target?.department ?? null,
    });
  }
}

export interface AuditQuery {
  action?: string | null;
  actorName?: string | null;
  targetId?: string | null;
  outcome?: AuditOutcome | null;
  from?: Date | null;
  to?: Date | null;
}

/**
 * Audit entries the viewer may read: platform admins all of them, an org admin those whose
 * target lies in their subtree. Anyone else is refused (FORBIDDEN; the log's existence is no secret).
 */
export function auditScopeFilter(viewer: Viewer): FilterQuery<AuditEntryDoc> {
  authorize(viewer, 'audit.read');
  if (viewer.kind === 'anonymous') return { _id: null };
  const units = [];
  for (const grant of viewer.grants) {
    if (grant.role === 'PLATFORM_ADMIN') return {};
    if (grant.role === 'ORG_ADMIN' && grant.orgUnit) units.push(grant.orgUnit.id);
  }
  return { orgPaths: { $in: units } };
}

const AUDIT_ORDER = { order: 'AT:DESC', field: 'at', direction: -1 } as const;

export async function listAuditEntries(models: Pick<Models, 'AuditEntry'>, viewer: Viewer, query: AuditQuery, page: PageArgs): Promise<{ page: Page<AuditEntryDoc>; totalCount: () => Promise<number> }> {
  const scope = auditScopeFilter(viewer);
  const prepared = preparePage(page, AUDIT_ORDER);
  const clauses: FilterQuery<AuditEntryDoc>[] = [scope];
  if (query.action) clauses.push({ action: query.action });
  if (query.actorName) clauses.push({ actorName: query.actorName.toLowerCase() });
  if (query.targetId) clauses.push({ targetId: query.targetId });
  if (query.outcome) clauses.push({ outcome: query.outcome });
  if (query.from || query.to) clauses.push({ at: { ...(query.from ? { $gte: query.from } : {}), ...(query.to ? { $lt: query.to } : {}) } });
  const match = clauses.length === 1 ? clauses[0]! : { $and: clauses };
  return {
    page: await paginate(models.AuditEntry, match, prepared),
    totalCount: () => models.AuditEntry.countDocuments(match).exec(),
  };
}
