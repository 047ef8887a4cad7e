import type { ApolloServerPlugin } from '@apollo/server';
import { isAllowed } from '../../domain/access/index.js';
import type { GraphQLContext } from '../context.js';
import { graphQLError } from '../errors.js';
import type { PersistedOperationStore } from './store.js';

/**
 * Allowlist mode: an operation runs only when the hash of its query text is registered.
 * PLATFORM_ADMIN is exempt, so that operations can be tried and registered in production.
 */
export function allowlistPlugin(store: PersistedOperationStore): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ queryHash, contextValue }) {
          if (isAllowed(contextValue.viewer, 'operations.manage')) return;
          if (await store.has(queryHash)) return;
          throw graphQLError('PERSISTED_QUERY_NOT_FOUND', '操作不在已登记的白名单中', 'Operation is not on the persisted-operations allowlist', {
            http: { status: 400 },
          });
        },
      };
    },
  };
}
