import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { nodeResolvers } from './resolvers/node.js';
import { resolverModules, type NodeFetcher, type ResolverModule } from './resolvers/index.js';

export { createContext, type GraphQLContext, type RequestIdentity } from './context.js';
export { formatError, graphQLError, INTERNAL_ERROR_MESSAGE } from './errors.js';
export { fromGlobalId, toGlobalId } from './global-id.js';
export { createLoaders, type Loaders } from './loaders/index.js';
export { hubPlugins } from './plugins/index.js';
export type { NodeFetcher, ResolverModule } from './resolvers/index.js';

/** The folder of SDL files: schema/ at the project root. */
export const SCHEMA_DIR = fileURLToPath(new URL('../../schema/', import.meta.url));

/** Every schema/*.graphql file, in name order. */
export function loadTypeDefs(dir = SCHEMA_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.graphql'))
    .sort()
    .map((name) => readFileSync(`${dir}${name}`, 'utf8'));
}

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
