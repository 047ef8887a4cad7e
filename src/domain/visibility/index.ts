import type { FilterQuery, Types } from 'mongoose';
import type { ResourceBase } from '../../db/index.js';

/**
 * Who is asking: nobody (anonymous) or a user with role grants. A grant's scope is resolved
 * once per request (the org unit with its ancestors), so building a filter needs no lookups.
 */
export type Viewer = AnonymousViewer | UserViewer;

export interface AnonymousViewer {
  kind: 'anonymous';
}

export const ROLES = ['PLATFORM_ADMIN', 'ORG_ADMIN', 'DEPARTMENT_ADMIN', 'REVIEWER', 'ANALYST', 'MEMBER'] as const;
export type Role = (typeof ROLES)[number];

/** An org unit a grant is scoped to: the unit and the ids above it (root first). */
export interface ScopeUnit {
  id: Types.ObjectId;
  ancestors: Types.ObjectId[];
}

/**
 * One role held within one scope.
 * - PLATFORM_ADMIN: everything (orgUnit and department unset).
 * - ORG_ADMIN, REVIEWER, MEMBER: orgUnit required (MEMBER: their own unit).
 * - DEPARTMENT_ADMIN: department required, orgUnit optional.
 * - ANALYST: orgUnit optional (unset: everything).
 * `stages` names the review stages a REVIEWER decides (empty: every stage).
 */
export interface RoleGrant {
  role: Role;
  orgUnit: ScopeUnit | null;
  department: string | null;
  stages: string[];
}

export interface UserViewer {
  kind: 'user';
  userId: Types.ObjectId;
  username: string;
  grants: RoleGrant[];
}

export const anonymousViewer: AnonymousViewer = Object.freeze({ kind: 'anonymous' });

type ResourceFilter = FilterQuery<ResourceBase>;

const PUBLISHED_PUBLIC: ResourceFilter = { status: 'PUBLISHED', confidentiality: 'PUBLIC' };
/** Statuses only staff who act on content see: work in progress and its history. */
const REVIEWABLE_STATUSES = ['PUBLISHED', 'PENDING', 'REJECTED'];

/** Resources attached at or below the unit. */
function subtree(unit: ScopeUnit): ResourceFilter {
  return { orgPaths: unit.id };
}

/** PUBLISHED INTERNAL content of the unit's lineage: attached to the unit or anything above it. */
function internalOfLineage(unit: ScopeUnit): ResourceFilter {
  return { status: 'PUBLISHED', confidentiality: 'INTERNAL', orgUnits: { $in: [...unit.ancestors, unit.id] } };
}

/**
 * What one grant adds to the PUBLISHED PUBLIC baseline everyone has. The table (docs in the
 * README, "Roles and scopes"):
 * - ORG_ADMIN: every status and confidentiality in the subtree; INTERNAL of the lineage.
 * - DEPARTMENT_ADMIN: every status and confidentiality of the department (within the org
 *   subtree when one is given); INTERNAL of that lineage.
 * - REVIEWER: PUBLISHED, PENDING, REJECTED of every confidentiality in the subtree; INTERNAL
 *   of the lineage.
 * - ANALYST: PUBLISHED of every confidentiality in the subtree (or everywhere).
 * - MEMBER: PUBLISHED INTERNAL of the unit's lineage.
 * Returns null for "everything".
 */
function grantFilter(grant: RoleGrant): ResourceFilter[] | null {
  const unit = grant.orgUnit;
  switch (grant.role) {
    case 'PLATFORM_ADMIN':
      return null;
    case 'ORG_ADMIN':
      return unit ? [subtree(unit), internalOfLineage(unit)] : [];
    case 'DEPARTMENT_ADMIN':
      if (!grant.department) return [];
      return unit
        ? [{ department: grant.department, ...subtree(unit) }, internalOfLineage(unit)]
        : [{ department: grant.department }];
    case 'REVIEWER':
      return unit ? [{ status: { $in: REVIEWABLE_STATUSES }, ...subtree(unit) }, internalOfLineage(unit)] : [];
    case 'ANALYST':
      return [unit ? { status: 'PUBLISHED', ...subtree(unit) } : { status: 'PUBLISHED' }];
    case 'MEMBER':
      return unit ? [internalOfLineage(unit)] : [];
  }
}

/**
 * The one place that turns a viewer into the resources it may see, as a MongoDB filter.
 * Every read path (lists, node(id), nested fields, counts, facets, search, reports) ANDs
 * this filter into its query; no resolver builds its own access filter.
 */
export function visibilityFilter(viewer: Viewer): ResourceFilter {
  if (viewer.kind === 'anonymous') return PUBLISHED_PUBLIC;
  const clauses: ResourceFilter[] = [PUBLISHED_PUBLIC];
  for (const grant of viewer.grants) {
    const added = grantFilter(grant);
    if (added === null) return {};
    clauses.push(...added);
  }
  return clauses.length === 1 ? PUBLISHED_PUBLIC : { $or: clauses };
}

/** `filter` restricted to what the viewer may see. */
export function visible(viewer: Viewer, filter: ResourceFilter): ResourceFilter {
  const access = visibilityFilter(viewer);
  if (Object.keys(access).length === 0) return filter;
  return Object.keys(filter).length === 0 ? access : { $and: [access, filter] };
}
