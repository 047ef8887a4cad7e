import { authorize } from '../access/index.js';
import type { ScopeUnit, Viewer } from '../visibility/index.js';

/**
 * Where a viewer's reports reach, from the grants that allow 'report.run': everything (a
 * platform admin, an analyst without an org unit) or the subtrees of the grants' units.
 * Resources are scoped by visibilityFilter; this scopes what has no resource placement of its
 * own: feeds (by orgScope), review cases (by orgPaths), saved reports.
 */
export type ReportScope = { all: true } | { all: false; units: ScopeUnit[] };

export function reportScope(viewer: Viewer): ReportScope {
  authorize(viewer, 'report.run');
  if (viewer.kind === 'anonymous') return { all: false, units: [] };
  const units: ScopeUnit[] = [];
  for (const grant of viewer.grants) {
    if (grant.role === 'PLATFORM_ADMIN' || (grant.role === 'ANALYST' && grant.orgUnit === null)) return { all: true };
    if ((grant.role === 'ANALYST' || grant.role === 'ORG_ADMIN') && grant.orgUnit) units.push(grant.orgUnit);
  }
  return { all: false, units };
}

export function isPlatformAdmin(viewer: Viewer): boolean {
  return viewer.kind === 'user' && viewer.grants.some((grant) => grant.role === 'PLATFORM_ADMIN');
}
