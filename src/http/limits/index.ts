export { batchLimit } from './batch.js';
export { rateLimit, type RateLimitOptions } from './rate-limit.js';
export { MemoryRateLimitStore, MongoRateLimitStore, type RateLimitStore, type TakeResult } from './rate-limit-store.js';
