import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLContext } from '../context.js';

/** One log line per GraphQL operation: name, duration, whether it had errors. */
export const requestLogPlugin: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart({ contextValue }) {
    const started = process.hrtime.bigint();
    return {
      async willSendResponse({ operationName, response }) {
        const errors = response.body.kind === 'single' ? (response.body.singleResult.errors?.length ?? 0) : 0;
        contextValue.log.info(
          { operationName: operationName ?? null, durationMs: Number(process.hrtime.bigint() - started) / 1e6, errors, viewer: contextValue.viewer.kind },
          'graphql request',
        );
      },
    };
  },
};
