import type { Models } from '../db/index.js';
import type { AuthRuntime } from '../domain/auth/index.js';
import type { Viewer } from '../domain/visibility/index.js';
import type { Logger } from '../logging/index.js';
import { createLoaders, type Loaders } from './loaders/index.js';

/** What every resolver gets; one per request. */
export interface GraphQLContext {
  requestId: string;
  viewer: Viewer;
  models: Models;
  /** Per-request DataLoaders, already bound to the viewer. */
  loaders: Loaders;
  /** Logger carrying the request id. */
  log: Logger;
  /** GraphQL type of each value node()/nodes() returned, for Node.__resolveType. */
  nodeTypes: WeakMap<object, string>;
  /** The client's address, for the audit log. */
  ip: string | null;
  /** Login and user management; null when the app runs without authentication. */
  auth: AuthRuntime | null;
}

export interface RequestIdentity {
  requestId: string;
  viewer: Viewer;
  ip?: string | null;
  auth?: AuthRuntime | null;
}

export function createContext(models: Models, log: Logger, request: RequestIdentity): GraphQLContext {
  return {
    requestId: request.requestId,
    viewer: request.viewer,
    models,
    loaders: createLoaders(models, request.viewer),
    log: log.child({ requestId: request.requestId }),
    nodeTypes: new WeakMap(),
    ip: request.ip ?? null,
    auth: request.auth ?? null,
  };
}
