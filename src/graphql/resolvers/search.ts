import { SearchService } from '../../search/index.js';
import type { Models } from '../../db/index.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import type { ResolverModule } from './module.js';

/**
 * Query.search. One SearchService per models object, so that its term statistics (used to
 * pick the index anchor) are shared across requests rather than resampled per request.
 */
const services = new WeakMap<Models, SearchService>();

function searchService(models: Models): SearchService {
  let service = services.get(models);
  if (!service) {
    service = new SearchService(models);
    services.set(models, service);
  }
  return service;
}

const resolvers: Resolvers = {
  Query: {
    search: async (_parent, { query, filter, first, after }, { models, viewer }) => {
      const page = await searchService(models).search({ query, filter, first, after, viewer });
      return {
        edges: page.hits,
        nodes: page.hits.map((hit) => hit.node),
        pageInfo: {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: page.hasPreviousPage,
          startCursor: page.hits[0]?.cursor ?? null,
          endCursor: page.hits.at(-1)?.cursor ?? null,
        },
        totalCount: page.totalCount,
        facets: page.facets,
      };
    },
  },
};

export const searchModule: ResolverModule = { resolvers };
