import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { nodeResolvers } from './resolvers/node.js';
import { resolverModules, type NodeFetcher, type ResolverModule } from './resolvers/index.js';
import { loadTypeDefs } from './schema-files.js';

export { createContext, type GraphQLContext, type RequestIdentity } from './context.js';
export { formatError, graphQLError, INTERNAL_ERROR_MESSAGE } from './errors.js';
export { fromGlobalId, toGlobalId } from './global-id.js';
export { createLoaders, type Loaders } from './loaders/index.js';
export { hubPlugins } from './plugins/index.js';
export type { NodeFetcher, ResolverModule } from './resolvers/index.js';
export { loadTypeDefs, SCHEMA_DIR } from './schema-files.js';

/** The executable schema: all SDL files plus every module's resolvers and Node types. */
export function buildSchema(modules: readonly ResolverModule[] = resolverModules): GraphQLSchema {
  const fetchers = new Map<string, NodeFetcher>();
  for (const module of modules) {
    for (const [type, fetch] of Object.entries(module.nodeTypes ?? {})) {
      if (fetchers.has(type)) throw new Error(`Node type ${type} is registered twice`);
      fetchers.set(type, fetch);
    }
  }
  return makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers: [...modules.map((module) => module.resolvers), nodeResolvers(fetchers)],
    inheritResolversFromInterfaces: false,
  });
}
