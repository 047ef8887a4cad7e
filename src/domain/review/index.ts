export { DEFAULT_REVIEW_STAGES, loadReviewStages } from './stages.js';
export { CLASSIFIED_REFUSED, ReviewService, stageFeedRevisions, type FeedRevision, type QueueArgs, type ReviewQueue, type StageTime } from './service.js';
export { diffContent, contentOf, type FieldChange } from './content.js';
export { ensureReviewCaseUnits } from './case-units.js';
