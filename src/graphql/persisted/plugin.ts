import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { isAllowed } from '../../domain/access/index.js';
import type { GraphQLContext } from '../context.js';
import { graphQLError } from '../errors.js';
import type { PersistedOperationStore } from './store.js';

/** Root fields any client may call in any shape: signing in comes before anyone could register an operation. */
const OPEN_ROOT_FIELDS = new Set(['login']);

function onlyOpenFields(operation: OperationDefinitionNode): boolean {
  return operation.selectionSet.selections.every((selection) => selection.kind === Kind.FIELD && OPEN_ROOT_FIELDS.has(selection.name.value));
}

/**
 * Allowlist mode: an operation runs only when the hash of its query text is registered.
 * PLATFORM_ADMIN is exempt, so that operations can be tried and registered in production;
 * so is `login` alone, so that an administrator can sign in to register the first ones.
 */
export function allowlistPlugin(store: PersistedOperationStore): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ queryHash, contextValue, operation }) {
          if (isAllowed(contextValue.viewer, 'operations.manage') || (operation && onlyOpenFields(operation))) return;
          if (await store.has(queryHash)) return;
          throw graphQLError('PERSISTED_QUERY_NOT_FOUND', '操作不在已登记的白名单中', 'Operation is not on the persisted-operations allowlist', {
            http: { status: 400 },
          });
        },
      };
    },
  };
}
