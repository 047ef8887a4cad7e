/**
 * What each report measure reads and what each dimension can group: plain data without
 * dependencies, shared by the server (spec.ts) and the web console's report builder.
 */

export const REPORT_SOURCES = ['RESOURCES', 'FEEDS', 'REVIEWS'] as const;
export type ReportSource = (typeof REPORT_SOURCES)[number];

export const MEASURE_SOURCES = {
  RESOURCE_COUNT: 'RESOURCES',
  SERVICE_COUNT: 'RESOURCES',
  POLICY_COUNT: 'RESOURCES',
  EVENT_COUNT: 'RESOURCES',
  ORG_UNITS_COVERED: 'RESOURCES',
  POLICIES_IN_FORCE: 'RESOURCES',
  POLICIES_EXPIRING: 'RESOURCES',
  FEED_COUNT: 'FEEDS',
  FEED_LAG_HOURS: 'FEEDS',
  FAILURE_STREAK: 'FEEDS',
  SYNC_SUCCESS_RATE: 'FEEDS',
  QUARANTINE_RATE: 'FEEDS',
  STAGE_ENTRIES: 'REVIEWS',
  BACKLOG: 'REVIEWS',
  STAGE_HOURS_AVG: 'REVIEWS',
  STAGE_HOURS_MAX: 'REVIEWS',
} as const satisfies Record<string, ReportSource>;
export const DIMENSION_SOURCES = {
  DEPARTMENT: ['RESOURCES', 'FEEDS', 'REVIEWS'],
  KIND: ['RESOURCES', 'FEEDS'],
  CATEGORY: ['RESOURCES'],
  THEME: ['RESOURCES'],
  ISSUER: ['RESOURCES'],
  AUDIENCE: ['RESOURCES'],
  VALIDITY: ['RESOURCES'],
  STATUS: ['RESOURCES', 'REVIEWS'],
  FEED: ['RESOURCES', 'FEEDS'],
  ORG_UNIT: ['RESOURCES', 'REVIEWS'],
  TIME: ['RESOURCES', 'REVIEWS'],
  REVIEW_STAGE: ['REVIEWS'],
} as const satisfies Record<string, readonly ReportSource[]>;

export const TIME_UNITS = ['DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];
/** The date a resource is bucketed by; review stage entries always use their entry time. */
export const TIME_FIELDS = ['CREATED_AT', 'UPDATED_AT', 'PUBLISHED_AT', 'STARTS_AT'] as const;
export type TimeField = (typeof TIME_FIELDS)[number];
