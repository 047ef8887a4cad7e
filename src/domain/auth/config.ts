import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConfigError } from '../../config/index.js';

/** Environment variables of authentication; the README's "Access control" section lists them. */
const authEnvSchema = z.object({
  /** HS256 shared secret for tokens the hub issues (login) and accepts. At least 32 bytes. */
  AUTH_JWT_SECRET: z.string().min(32, '至少 32 个字符 / must be at least 32 characters').optional(),
  /** JWKS URL of an external identity provider; its RS256/ES256 tokens are accepted. */
  AUTH_JWKS_URL: z.url({ protocol: /^https?$/, message: '应为 http(s) URL / must be an http(s) URL' }).optional(),
  AUTH_JWT_ISSUER: z.string().min(1).default('gongxiang-hub'),
  AUTH_JWT_AUDIENCE: z.string().min(1).default('gongxiang-hub'),
  AUTH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(30 * 86_400).default(8 * 3600),
  AUTH_MAX_FAILED_LOGINS: z.coerce.number().int().min(1).max(100).default(5),
  AUTH_LOCKOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
  /** How long a verified token's viewer is reused by this process (0: look the user up on every request). */
  AUTH_VIEWER_CACHE_SECONDS: z.coerce.number().int().min(0).max(60).default(5),
});

export interface AuthConfig {
  /** null: no local tokens (JWKS only). */
  jwtSecret: Uint8Array | null;
  /** True when the secret was generated for this process (tokens die with it). */
  ephemeralSecret: boolean;
  jwksUrl: URL | null;
  issuer: string;
  audience: string;
  tokenTtlSeconds: number;
  maxFailedLogins: number;
  lockoutSeconds: number;
  viewerCacheSeconds: number;
}

/**
 * Reads the auth settings. With neither a secret nor a JWKS URL, a random secret is made for
 * this process (development: login works, tokens end with the process).
 */
export function loadAuthConfig(env: NodeJS.ProcessEnv = process.env): AuthConfig {
  const given = Object.fromEntries(Object.entries(env).filter(([key, value]) => key.startsWith('AUTH_') && value !== undefined && value !== ''));
  const parsed = authEnvSchema.safeParse(given);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const config = parsed.data;
  const ephemeralSecret = !config.AUTH_JWT_SECRET && !config.AUTH_JWKS_URL;
  const secret = config.AUTH_JWT_SECRET ? new TextEncoder().encode(config.AUTH_JWT_SECRET) : ephemeralSecret ? randomBytes(32) : null;
  return {
    jwtSecret: secret ? new Uint8Array(secret) : null,
    ephemeralSecret,
    jwksUrl: config.AUTH_JWKS_URL ? new URL(config.AUTH_JWKS_URL) : null,
    issuer: config.AUTH_JWT_ISSUER,
    audience: config.AUTH_JWT_AUDIENCE,
    tokenTtlSeconds: config.AUTH_TOKEN_TTL_SECONDS,
    maxFailedLogins: config.AUTH_MAX_FAILED_LOGINS,
    lockoutSeconds: config.AUTH_LOCKOUT_SECONDS,
    viewerCacheSeconds: config.AUTH_VIEWER_CACHE_SECONDS,
  };
}
