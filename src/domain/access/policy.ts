import type { Types } from 'mongoose';
import type { Role, RoleGrant, ScopeUnit, Viewer } from '../visibility/index.js';
import { forbidden, unauthenticated } from './errors.js';

/**
 * The one policy check for every mutation (reads go through visibilityFilter). Each action
 * names who may do it and within which scope; a target describes where the thing sits.
 */
export type Action =
  | 'user.manage' // create, change, delete users and their grants
  | 'org.manage' // departments and the org tree
  | 'resource.submit' // publish manually, edit content (enters review)
  | 'resource.withdraw'
  | 'resource.comment' // 点评 and flags
  | 'review.decide' // needs `stage` on the target
  | 'review.read' // review cases, versions, comments of resources in scope
  | 'feed.read' // feeds and their runs
  | 'feed.manage' // register, change, run, pause, upload
  | 'quarantine.read'
  | 'report.run' // run and save reports, export
  | 'audit.read'
  | 'operations.manage'; // the persisted-operations allowlist

/** Where a target sits: its org placement (orgPaths), department, and for reviews the stage. */
export interface AccessTarget {
  orgPaths?: readonly Types.ObjectId[];
  department?: string | null;
  stage?: string;
}

const ALLOWED_ROLES: Record<Action, readonly Role[]> = {
  'user.manage': [],
  'org.manage': [],
  'resource.submit': ['ORG_ADMIN', 'DEPARTMENT_ADMIN'],
  'resource.withdraw': ['ORG_ADMIN', 'DEPARTMENT_ADMIN'],
  'resource.comment': ['ORG_ADMIN', 'REVIEWER'],
  'review.decide': ['REVIEWER'],
  'review.read': ['ORG_ADMIN', 'DEPARTMENT_ADMIN', 'REVIEWER'],
  'feed.read': ['ORG_ADMIN', 'DEPARTMENT_ADMIN'],
  'feed.manage': ['DEPARTMENT_ADMIN'],
  'quarantine.read': ['DEPARTMENT_ADMIN'],
  'report.run': ['ANALYST', 'ORG_ADMIN'],
  'audit.read': ['ORG_ADMIN'],
  'operations.manage': [],
};

/** Reads whose results are narrowed to the viewer's scope by a filter of their own. */
const SCOPE_FILTERED_READS: ReadonlySet<Action> = new Set<Action>(['feed.read', 'quarantine.read', 'report.run', 'audit.read']);

/** True when the target lies at or below the unit (its placement names the unit). */
export function withinUnit(unit: ScopeUnit, orgPaths: readonly Types.ObjectId[] | undefined): boolean {
  return (orgPaths ?? []).some((id) => id.equals(unit.id));
}

function grantCovers(grant: RoleGrant, action: Action, target: AccessTarget): boolean {
  if (grant.role === 'PLATFORM_ADMIN') return true;
  if (!ALLOWED_ROLES[action].includes(grant.role)) return false;
  // Without a target, a scoped read asks "anywhere in my scope?": the read's own filter narrows it.
  if (target.orgPaths === undefined && target.department === undefined) return SCOPE_FILTERED_READS.has(action);
  if (grant.role === 'DEPARTMENT_ADMIN' && (!grant.department || grant.department !== target.department)) return false;
  if (grant.role === 'REVIEWER' && action === 'review.decide') {
    if (!target.stage || (grant.stages.length > 0 && !grant.stages.includes(target.stage))) return false;
  }
  // An unscoped grant (ANALYST of everything, DEPARTMENT_ADMIN without an org subtree) covers all places.
  return grant.orgUnit === null ? grant.role !== 'ORG_ADMIN' && grant.role !== 'REVIEWER' : withinUnit(grant.orgUnit, target.orgPaths);
}

/** Whether the viewer may do `action` on `target`. */
export function isAllowed(viewer: Viewer, action: Action, target: AccessTarget = {}): boolean {
  return viewer.kind === 'user' && viewer.grants.some((grant) => grantCovers(grant, action, target));
}

/** The grants that allow `action` on `target` (for recording the role that acted). */
export function grantsAllowing(viewer: Viewer, action: Action, target: AccessTarget = {}): RoleGrant[] {
  return viewer.kind === 'user' ? viewer.grants.filter((grant) => grantCovers(grant, action, target)) : [];
}

/** Throws UNAUTHENTICATED for anonymous viewers and FORBIDDEN when no grant allows the action. */
export function authorize(viewer: Viewer, action: Action, target: AccessTarget = {}): void {
  if (viewer.kind === 'anonymous') throw unauthenticated();
  if (!isAllowed(viewer, action, target)) throw forbidden();
}

/** Throws UNAUTHENTICATED for anonymous viewers; for actions that only need a signed-in user. */
export function requireUser(viewer: Viewer): asserts viewer is Extract<Viewer, { kind: 'user' }> {
  if (viewer.kind === 'anonymous') throw unauthenticated();
}

export function rolesOf(viewer: Viewer): string {
  return viewer.kind === 'anonymous' ? 'ANONYMOUS' : [...new Set(viewer.grants.map((grant) => grant.role))].join(',') || 'NONE';
}
