import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { RateLimitSettings } from '../../config/index.js';
import type { Viewer } from '../../domain/visibility/index.js';
import type { Logger } from '../../logging/index.js';
import type { RateLimitStore } from './rate-limit-store.js';

export interface RateLimitOptions {
  store: RateLimitStore;
  settings: RateLimitSettings;
  /** The request's viewer (anonymous when its token is bad: the per-address bucket still applies). */
  viewerOf: (req: Request) => Promise<Viewer>;
  log: Logger;
  onLimited?: (scope: 'ip' | 'user') => void;
}

/**
 * Token buckets per client address and per signed-in user. Over either: HTTP 429 with
 * Retry-After (seconds) and a GraphQL-shaped error RATE_LIMITED. When the bucket store
 * cannot be reached the request passes (logged): an outage of the counters must not take
 * the API down with it.
 */
export function rateLimit({ store, settings, viewerOf, log, onLimited }: RateLimitOptions): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const now = Date.now();
    try {
      const viewer = await viewerOf(req).catch(() => null);
      const checks: { scope: 'ip' | 'user'; key: string; bucket: RateLimitSettings['ip'] }[] = [{ scope: 'ip', key: `ip:${req.ip ?? 'unknown'}`, bucket: settings.ip }];
      if (viewer?.kind === 'user') checks.push({ scope: 'user', key: `user:${viewer.userId.toHexString()}`, bucket: settings.user });
      for (const check of checks) {
        const result = await store.take(check.key, check.bucket, now);
        if (result.allowed) continue;
        onLimited?.(check.scope);
        res.set('retry-after', String(Math.max(1, Math.ceil(result.retryAfterMs / 1000))));
        res.status(429).json({
          errors: [{ message: '请求过于频繁，请稍后再试 / Too many requests, retry later', extensions: { code: 'RATE_LIMITED', requestId: res.locals.requestId } }],
        });
        return;
      }
    } catch (error) {
      log.warn({ err: error, requestId: res.locals.requestId }, 'rate limit store unavailable; request let through');
    }
    next();
  };
}
