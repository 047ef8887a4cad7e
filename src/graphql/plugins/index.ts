import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLContext } from '../context.js';
import { auditPlugin } from './audit.js';
import { errorsPlugin } from './errors.js';

/**
 * Apollo plugins, each an object of lifecycle hooks (requestDidStart → didResolveOperation →
 * executionDidStart → willSendResponse …). Add one: a file here and one line below.
 */
export function hubPlugins(): ApolloServerPlugin<GraphQLContext>[] {
  // The request log line and metrics come from src/observability (one line per HTTP request).
  return [errorsPlugin, auditPlugin];
}
