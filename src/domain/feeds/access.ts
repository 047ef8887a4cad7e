import type { Viewer } from '../visibility/index.js';
import { FeedError } from './service.js';

/**
 * Who may administer feeds: a PLATFORM_ADMIN everywhere, a DEPARTMENT_ADMIN for their
 * department's feeds. A feed outside the viewer's departments is reported as not found,
 * never as forbidden, so its existence does not leak.
 */
export type FeedScope = { all: true } | { all: false; departments: Set<string> };

export function feedScope(viewer: Viewer): FeedScope {
  if (viewer.kind !== 'user') throw new FeedError('UNAUTHENTICATED', '请先登录 / Sign in to manage feeds');
  if (viewer.grants.some((grant) => grant.role === 'PLATFORM_ADMIN')) return { all: true };
  const departments = new Set(
    viewer.grants.flatMap((grant) => (grant.role === 'DEPARTMENT_ADMIN' && grant.department ? [grant.department] : [])),
  );
  if (departments.size === 0) throw new FeedError('FORBIDDEN', '需要部门管理员权限 / Department admin role required');
  return { all: false, departments };
}

export function mayAdminister(scope: FeedScope, department: string): boolean {
  return scope.all || scope.departments.has(department);
}

/** For a feed the viewer asked for by id: NOT_FOUND when outside their scope. */
export function assertFeedInScope(scope: FeedScope, feed: { department: string; _id: { toHexString(): string } }): void {
  if (!mayAdminister(scope, feed.department)) {
    throw new FeedError('NOT_FOUND', `数据源不存在 / Feed not found: ${feed._id.toHexString()}`);
  }
}

/** For a department the viewer names (registering, moving a feed): FORBIDDEN outside their scope. */
export function assertDepartmentInScope(scope: FeedScope, department: string): void {
  if (!mayAdminister(scope, department)) {
    throw new FeedError('FORBIDDEN', `无权管理该部门的数据源 / You do not administer feeds of ${department}`);
  }
}
