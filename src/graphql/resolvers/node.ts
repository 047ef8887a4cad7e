import { InvalidInputError } from '../../domain/errors.js';
import type { GraphQLContext } from '../context.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { fromGlobalId } from '../global-id.js';
import type { NodeFetcher, NodeValue } from './module.js';

/** Upper bound for nodes(ids), so one request cannot ask for an unbounded batch. */
export const MAX_NODE_IDS = 100;

/** node(id), nodes(ids) and Node.__resolveType over the Node types every module registered. */
export function nodeResolvers(fetchers: ReadonlyMap<string, NodeFetcher>): Resolvers {
  const fetchNode = async (globalId: string, argument: string, context: GraphQLContext): Promise<NodeValue | null> => {
    const { type, id } = fromGlobalId(globalId, argument);
    const fetch = fetchers.get(type);
    const value = fetch ? await fetch(id, context) : null;
    if (value) context.nodeTypes.set(value, type);
    return value;
  };
  return {
    Query: {
      node: (_parent, { id }, context) => fetchNode(id, 'id', context),
      nodes: async (_parent, { ids }, context) => {
        if (ids.length > MAX_NODE_IDS) {
          throw new InvalidInputError(`一次最多查询 ${MAX_NODE_IDS} 个 ID`, `At most ${MAX_NODE_IDS} ids per request`, 'ids');
        }
        // Validate every id before fetching any, so a bad id fails the field as a whole.
        ids.forEach((id, index) => fromGlobalId(id, `ids[${index}]`));
        return Promise.all(ids.map((id, index) => fetchNode(id, `ids[${index}]`, context)));
      },
    },
    Node: {
      __resolveType: (value, context) => {
        const type = context.nodeTypes.get(value);
        if (!type) throw new Error('Node value without a registered type');
        return type as never;
      },
    },
  };
}
