import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type FieldNode, type ValueNode } from 'graphql';
import { existingAuditTrail, auditTrailOf } from '../access-context.js';
import type { GraphQLContext } from '../context.js';

const DENIED_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'NOT_FOUND']);
const TARGET_ARGUMENTS = ['id', 'feedId', 'resourceId', 'runId', 'commentId'];

function argumentValue(value: ValueNode, variables: Record<string, unknown>): string | null {
  if (value.kind === Kind.STRING) return value.value;
  if (value.kind === Kind.VARIABLE) {
    const given = variables[value.name.value];
    return typeof given === 'string' ? given : null;
  }
  return null;
}

/**
 * Every mutation leaves an audit entry. Domain services record detailed entries (with content
 * hashes) themselves; a mutation that recorded nothing (refused before reaching its service,
 * or a domain that records no entry of its own) gets one entry per root field here, with its
 * outcome: SUCCESS, DENIED (UNAUTHENTICATED/FORBIDDEN/NOT_FOUND) or FAILURE.
 */
export const auditPlugin: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ contextValue, operation, response, request }) {
        if (operation?.operation !== 'mutation') return;
        if ((existingAuditTrail(contextValue)?.recorded ?? 0) > 0) return;
        const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
        const trail = auditTrailOf(contextValue);
        const variables = request.variables ?? {};
        for (const selection of operation.selectionSet.selections) {
          if (selection.kind !== Kind.FIELD) continue;
          const field: FieldNode = selection;
          const key = field.alias?.value ?? field.name.value;
          const error = errors.find((candidate) => candidate.path?.[0] === key);
          const code = typeof error?.extensions?.code === 'string' ? error.extensions.code : null;
          const target = field.arguments?.find((argument) => TARGET_ARGUMENTS.includes(argument.name.value));
          const targetId = target ? argumentValue(target.value, variables) : null;
          await trail.record({
            action: `mutation.${field.name.value}`,
            outcome: !error ? 'SUCCESS' : code && DENIED_CODES.has(code) ? 'DENIED' : 'FAILURE',
            ...(targetId ? { target: { type: target!.name.value, id: targetId } } : {}),
            ...(code ? { detail: code } : {}),
          });
        }
      },
    };
  },
};
