import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { AccessError } from '../../domain/access/index.js';
import { InvalidInputError } from '../../domain/errors.js';
import type { GraphQLContext } from '../context.js';

/**
 * Logs every unexpected error with the request id, and puts the request id on every error
 * the client receives, so a masked error can be found in the logs.
 */
export const errorsPlugin: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ contextValue, errors }) {
        for (const error of errors) {
          const original = unwrapResolverError(error);
          const code = error.extensions?.code;
          if (original instanceof InvalidInputError || original instanceof AccessError || (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR')) continue;
          contextValue.log.error({ err: original, path: error.path }, 'unexpected error in GraphQL request');
        }
      },
      async willSendResponse({ contextValue, response }) {
        if (response.body.kind !== 'single') return;
        const { errors } = response.body.singleResult;
        if (!errors) return;
        response.body.singleResult.errors = errors.map((error) => ({
          ...error,
          extensions: { ...error.extensions, requestId: contextValue.requestId },
        }));
      },
    };
  },
};
