import { createRemoteJWKSet, errors, jwtVerify, SignJWT, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { AuthConfig } from './config.js';

const LOCAL_ALGORITHM = 'HS256';
const EXTERNAL_ALGORITHMS = ['RS256', 'ES256'];

export interface VerifiedToken {
  subject: string;
  /** True for tokens the hub signed itself (sub is a user id), false for the identity provider's. */
  local: boolean;
  /** Epoch ms of `exp`, when the token has one. */
  expiresAt: number | null;
}

export class TokenError extends Error {
  override readonly name: string = 'TokenError';
}

/**
 * Issues and verifies bearer tokens. Only HS256 (with the shared secret) and RS256/ES256 (with
 * the JWKS) are accepted; jose refuses `alg: none` and any other algorithm, checks exp/nbf,
 * issuer and audience.
 */
export class TokenService {
  private readonly jwks: JWTVerifyGetKey | null;

  constructor(private readonly config: AuthConfig) {
    this.jwks = config.jwksUrl ? createRemoteJWKSet(config.jwksUrl) : null;
  }

  get canIssue(): boolean {
    return this.config.jwtSecret !== null;
  }

  async issue(userId: string): Promise<{ token: string; expiresAt: Date }> {
    if (!this.config.jwtSecret) throw new TokenError('no signing secret');
    const expiresAt = new Date(Date.now() + this.config.tokenTtlSeconds * 1000);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: LOCAL_ALGORITHM, typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(this.config.issuer)
      .setAudience(this.config.audience)
      .setIssuedAt()
      .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
      .sign(this.config.jwtSecret);
    return { token, expiresAt };
  }

  async verify(token: string): Promise<VerifiedToken> {
    const options = { issuer: this.config.issuer, audience: this.config.audience };
    const secret = this.config.jwtSecret;
    let payload: JWTPayload;
    let local: boolean;
    try {
      const algorithm = headerAlgorithm(token);
      if (algorithm === LOCAL_ALGORITHM && secret) {
        ({ payload } = await jwtVerify(token, secret, { ...options, algorithms: [LOCAL_ALGORITHM] }));
        local = true;
      } else if (algorithm && EXTERNAL_ALGORITHMS.includes(algorithm) && this.jwks) {
        ({ payload } = await jwtVerify(token, this.jwks, { ...options, algorithms: EXTERNAL_ALGORITHMS }));
        local = false;
      } else {
        throw new TokenError(`algorithm not accepted: ${algorithm ?? 'none'}`);
      }
    } catch (error) {
      if (error instanceof TokenError) throw error;
      if (error instanceof errors.JOSEError) throw new TokenError(error.code);
      throw error;
    }
    if (!payload.sub) throw new TokenError('no subject');
    return { subject: payload.sub, local, expiresAt: typeof payload.exp === 'number' ? payload.exp * 1000 : null };
  }
}

function headerAlgorithm(token: string): string | null {
  const [header] = token.split('.');
  try {
    const parsed: unknown = JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && 'alg' in parsed && typeof parsed.alg === 'string' ? parsed.alg : null;
  } catch {
    return null;
  }
}
