export { PageState, type PageStateProps } from './PageState';
export { RequireRole } from './RequireRole';
export { StatusBadge, type Status } from './StatusBadge';
export { formatDateTime, formatDuration } from './format';
