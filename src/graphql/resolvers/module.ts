import type { Types } from 'mongoose';
import type { GraphQLContext } from '../context.js';
import type { Resolvers, ResolversParentTypes } from '../generated/resolvers-types.js';

/** A value of some type implementing Node (its mapper type, e.g. OrgUnitDoc). */
export type NodeValue = ResolversParentTypes['Node'];

/** Fetches a Node by ObjectId for node(id)/nodes(ids); null when missing or not visible. */
export type NodeFetcher = (id: Types.ObjectId, context: GraphQLContext) => Promise<NodeValue | null>;

/**
 * One domain's slice of the API: its resolvers, and the Node types it owns keyed by GraphQL
 * type name (the type part of global ids).
 */
export interface ResolverModule {
  resolvers: Resolvers;
  nodeTypes?: Record<string, NodeFetcher>;
}
