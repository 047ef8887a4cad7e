import type { Role } from '../auth';
export * from './api';
export const FEED_ROLES: Role[] = ['DEPARTMENT_ADMIN', 'ORG_ADMIN'];
export { FeedStatusBadge, RunStatusBadge, runStatusOf } from './badges';
export { DepartmentName } from './DepartmentName';
export { FeedPicker } from './FeedPicker';
export { FeedRuns } from './RunTimeline';
import './messages';
