import { createRequire } from 'node:module';
import type { DocumentNode } from 'graphql';
import { authorize } from '../../domain/access/index.js';
import { InvalidInputError } from '../../domain/errors.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import type { ResolverModule } from '../resolvers/module.js';
import { PersistedOperationStore } from './store.js';

/**
 * graphql as Node resolves it for the packages that build and run the schema (its CommonJS
 * main). Under vitest an ESM import gets graphql's .mjs copy instead, and validate() refuses
 * a schema from the other copy.
 */
const { Kind, parse, validate } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

function parsed(query: string): DocumentNode {
  try {
    return parse(query);
  } catch (error) {
    throw new InvalidInputError('查询无法解析', `Query does not parse: ${error instanceof Error ? error.message : String(error)}`, 'query');
  }
}

/** registerPersistedOperation: PLATFORM_ADMIN adds a query that validates against the schema. */
const resolvers: Resolvers = {
  Mutation: {
    registerPersistedOperation: async (_parent, { query }, { viewer, models }, info) => {
      authorize(viewer, 'operations.manage');
      const document = parsed(query);
      const problems = validate(info.schema, document);
      if (problems.length > 0) throw new InvalidInputError('查询未通过校验', `Query does not validate: ${problems[0]!.message}`, 'query');
      const operation = document.definitions.find((definition) => definition.kind === Kind.OPERATION_DEFINITION);
      const registeredBy = viewer.kind === 'user' ? viewer.username : 'anonymous';
      return PersistedOperationStore.of(models.Resource.db).register(query, operation?.name?.value ?? null, registeredBy);
    },
  },
  PersistedOperation: {
    sha256Hash: (operation) => operation._id,
  },
};

export const persistedOperationsModule: ResolverModule = { resolvers };
