import { auditModule } from './audit.js';
import { authModule } from './auth.js';
import { catalogModule } from './catalog.js';
import { commonModule } from './common.js';
import { feedsModule } from './feeds.js';
import type { ResolverModule } from './module.js';
import { orgModule } from './org.js';
import { persistedOperationsModule } from '../persisted/index.js';
import { reportsModule } from './reports.js';
import { reviewModule } from './review.js';
import { searchModule } from './search.js';

export type { NodeFetcher, NodeValue, ResolverModule } from './module.js';

/** Every domain's resolvers. Add a domain: a module file in this folder and one line here. */
export const resolverModules: readonly ResolverModule[] = [commonModule, orgModule, catalogModule, searchModule, feedsModule, authModule, reviewModule, auditModule, persistedOperationsModule, reportsModule];
