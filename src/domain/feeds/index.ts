export {
  FeedService,
  FeedError,
  feedView,
  feedHealth,
  registerFeedSchema,
  updateFeedSchema,
  MAX_PREVIEW,
  type FeedErrorCode,
  type FeedView,
  type FeedHealth,
  type FeedServiceDeps,
  type PreviewItem,
  type PreviewResult,
  type RegisterFeedInput,
  type UpdateFeedInput,
} from './service.js';
export { feedScope, mayAdminister, assertFeedInScope, assertDepartmentInScope, type FeedScope } from './access.js';
