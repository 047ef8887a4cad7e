import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import type { ResolverModule } from './module.js';

export const commonModule: ResolverModule = {
  resolvers: {
    DateTime: DateTimeResolver,
    JSON: JSONResolver,
  },
};
