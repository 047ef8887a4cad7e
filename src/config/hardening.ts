import { z } from 'zod';

/**
 * Settings of the public endpoint's defences: operation limits, production mode (persisted
 * operations, introspection, suggestions, rate limits), CORS and metrics. Every value has a
 * safe default; production mode (NODE_ENV=production or HUB_MODE=production) turns on the
 * allowlist and rate limits and turns off introspection and field suggestions.
 */

const INTEGER = '应为整数 / must be an integer';
const positive = (fallback: number, max = 1_000_000_000) =>
  z.coerce.number({ message: INTEGER }).int(INTEGER).min(1, '应大于 0 / must be greater than 0').max(max).default(fallback);
const optionalBoolean = z
  .enum(['true', 'false', '1', '0'], { message: '应为 true 或 false / must be true or false' })
  .transform((value) => value === 'true' || value === '1')
  .optional();

export const hardeningEnvShape = {
  NODE_ENV: z.string().optional(),
  /** production | development; defaults to production when NODE_ENV=production. */
  HUB_MODE: z.enum(['production', 'development'], { message: '应为 production 或 development / must be production or development' }).optional(),
  GRAPHQL_MAX_DEPTH: positive(10, 1000),
  GRAPHQL_MAX_COST: positive(5000),
  GRAPHQL_MAX_ALIASES: positive(30, 100_000),
  GRAPHQL_MAX_DIRECTIVES: positive(30, 100_000),
  GRAPHQL_MAX_TOKENS: positive(2000, 1_000_000),
  /** Operations in one request; above 1 the hub accepts JSON arrays of operations. */
  GRAPHQL_MAX_BATCH: positive(1, 100),
  GRAPHQL_MAX_BODY_BYTES: positive(100 * 1024, 64 * 1024 * 1024),
  GRAPHQL_EXECUTION_TIMEOUT_MS: positive(10_000, 600_000),
  /** Put the configured limit values in limit errors (off: the error names the limit only). */
  GRAPHQL_EXPOSE_LIMITS: optionalBoolean,
  GRAPHQL_INTROSPECTION: optionalBoolean,
  GRAPHQL_FIELD_SUGGESTIONS: optionalBoolean,
  /** off | allowlist: only operations registered by sha256 hash run (PLATFORM_ADMIN excepted). */
  PERSISTED_OPERATIONS: z.enum(['off', 'allowlist'], { message: '应为 off 或 allowlist / must be off or allowlist' }).optional(),
  RATE_LIMIT_ENABLED: optionalBoolean,
  RATE_LIMIT_STORE: z.enum(['mongo', 'memory'], { message: '应为 mongo 或 memory / must be mongo or memory' }).default('mongo'),
  /** Token bucket per identity (signed-in user) and per client address: burst and refill per second. */
  RATE_LIMIT_USER_BURST: positive(120),
  RATE_LIMIT_USER_PER_SECOND: positive(20),
  RATE_LIMIT_IP_BURST: positive(240),
  RATE_LIMIT_IP_PER_SECOND: positive(40),
  /** Comma-separated origins allowed by CORS; empty means no cross-origin access. */
  CORS_ORIGINS: z.string().default(''),
  /** Express `trust proxy` (hops), so req.ip is the client behind a load balancer. 0 = direct. */
  TRUST_PROXY_HOPS: z.coerce.number({ message: INTEGER }).int(INTEGER).min(0).max(10).default(0),
  METRICS_ENABLED: optionalBoolean,
};

const hardeningEnvSchema = z.object(hardeningEnvShape);
export type HardeningEnv = z.output<typeof hardeningEnvSchema>;

export interface OperationLimits {
  maxDepth: number;
  maxCost: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxBatch: number;
  maxBodyBytes: number;
  executionTimeoutMs: number;
  exposeLimits: boolean;
}

export interface TokenBucketSettings {
  burst: number;
  perSecond: number;
}

export interface RateLimitSettings {
  enabled: boolean;
  store: 'mongo' | 'memory';
  user: TokenBucketSettings;
  ip: TokenBucketSettings;
}

export interface HardeningConfig {
  production: boolean;
  limits: OperationLimits;
  introspection: boolean;
  fieldSuggestions: boolean;
  persistedOperations: 'off' | 'allowlist';
  rateLimit: RateLimitSettings;
  corsOrigins: string[];
  trustProxyHops: number;
  metricsEnabled: boolean;
}

/** The hardening settings from parsed environment values. */
export function hardeningConfigOf(env: HardeningEnv): HardeningConfig {
  const production = (env.HUB_MODE ?? (env.NODE_ENV === 'production' ? 'production' : 'development')) === 'production';
  return {
    production,
    limits: {
      maxDepth: env.GRAPHQL_MAX_DEPTH,
      maxCost: env.GRAPHQL_MAX_COST,
      maxAliases: env.GRAPHQL_MAX_ALIASES,
      maxDirectives: env.GRAPHQL_MAX_DIRECTIVES,
      maxTokens: env.GRAPHQL_MAX_TOKENS,
      maxBatch: env.GRAPHQL_MAX_BATCH,
      maxBodyBytes: env.GRAPHQL_MAX_BODY_BYTES,
      executionTimeoutMs: env.GRAPHQL_EXECUTION_TIMEOUT_MS,
      exposeLimits: env.GRAPHQL_EXPOSE_LIMITS ?? false,
    },
    introspection: env.GRAPHQL_INTROSPECTION ?? !production,
    fieldSuggestions: env.GRAPHQL_FIELD_SUGGESTIONS ?? !production,
    persistedOperations: env.PERSISTED_OPERATIONS ?? (production ? 'allowlist' : 'off'),
    rateLimit: {
      enabled: env.RATE_LIMIT_ENABLED ?? production,
      store: env.RATE_LIMIT_STORE,
      user: { burst: env.RATE_LIMIT_USER_BURST, perSecond: env.RATE_LIMIT_USER_PER_SECOND },
      ip: { burst: env.RATE_LIMIT_IP_BURST, perSecond: env.RATE_LIMIT_IP_PER_SECOND },
    },
    corsOrigins: env.CORS_ORIGINS.split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
    trustProxyHops: env.TRUST_PROXY_HOPS,
    metricsEnabled: env.METRICS_ENABLED ?? true,
  };
}

/** Hardening settings from an environment alone (tests, apps built without loadConfig). */
export function loadHardeningConfig(env: Record<string, string | undefined> = {}): HardeningConfig {
  return hardeningConfigOf(hardeningEnvSchema.parse(Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''))));
}
