export { AccessError, forbidden, notFound, unauthenticated, type AccessErrorCode } from './errors.js';
export { authorize, grantsAllowing, isAllowed, requireUser, rolesOf, withinUnit, type AccessTarget, type Action } from './policy.js';
export { feedTarget, feedVisibilityFilter } from './feeds.js';
