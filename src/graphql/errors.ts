import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AccessError } from '../domain/access/index.js';
import { InvalidInputError } from '../domain/errors.js';

/** Codes whose message is meant for the client and is passed through unmasked. */
const CLIENT_ERROR_CODES = new Set([
  'BAD_USER_INPUT',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
]);

export const INTERNAL_ERROR_MESSAGE = '服务器内部错误 / Internal server error';

/** A GraphQL error with a code, for domains that need one other than BAD_USER_INPUT. */
export function graphQLError(code: string, zh: string, en: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(`${zh} / ${en}`, { extensions: { code, ...extensions } });
}

/** True for errors the client caused or may see; everything else is masked. */
export function isClientError(formatted: GraphQLFormattedError, error: unknown): boolean {
  if (unwrapResolverError(error) instanceof InvalidInputError) return true;
  const code = formatted.extensions?.code;
  return typeof code === 'string' && CLIENT_ERROR_CODES.has(code);
}

/**
 * Apollo's formatError: domain input errors become BAD_USER_INPUT; unknown errors lose their
 * message and stack (the errors plugin logs them and adds the request id).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof AccessError) {
    return { message: original.message, locations: formatted.locations, path: formatted.path, extensions: { code: original.code } };
  }
  if (original instanceof InvalidInputError) {
    return {
      message: original.message,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'BAD_USER_INPUT', ...(original.field ? { field: original.field } : {}) },
    };
  }
  if (isClientError(formatted, error)) {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  return {
    message: INTERNAL_ERROR_MESSAGE,
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
