import type { Models } from '../../db/index.js';
import { AccessError } from '../access/index.js';
import { anonymousViewer, type Viewer } from '../visibility/index.js';
import type { AuthConfig } from './config.js';
import { TokenService } from './tokens.js';
import { AuthService } from './users.js';

/** Authentication for one hub process: the user service and the bearer-header reader. */
export interface AuthRuntime {
  config: AuthConfig;
  service: AuthService;
  /**
   * The viewer of an Authorization header value: anonymous without one, a user for a valid
   * bearer token, UNAUTHENTICATED (AccessError) for anything else.
   */
  viewerOf(authorization: string | undefined): Promise<Viewer>;
}

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/;

export function createAuthRuntime(models: Pick<Models, 'User' | 'OrgUnit' | 'Department'>, config: AuthConfig): AuthRuntime {
  const service = new AuthService(models, new TokenService(config), config);
  return {
    config,
    service,
    async viewerOf(authorization) {
      if (authorization === undefined || authorization.trim() === '') return anonymousViewer;
      const match = BEARER.exec(authorization.trim());
      if (!match) throw new AccessError('UNAUTHENTICATED', 'Authorization 头应为 Bearer 令牌', 'The Authorization header must carry a Bearer token');
      return service.viewerForToken(match[1]!);
    },
  };
}
