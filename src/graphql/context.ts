import type { Models } from '../db/index.js';
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
}

export interface RequestIdentity {
  requestId: string;
  viewer: Viewer;
}

export function createContext(models: Models, log: Logger, request: RequestIdentity): GraphQLContext {
  return {
    requestId: request.requestId,
    viewer: request.viewer,
    models,
    loaders: createLoaders(models, request.viewer),
    log: log.child({ requestId: request.requestId }),
    nodeTypes: new WeakMap(),
  };
}
