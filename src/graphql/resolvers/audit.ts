import { listAuditEntries } from '../../domain/audit/index.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { toGlobalId } from '../global-id.js';
import type { ResolverModule } from './module.js';

const resolvers: Resolvers = {
  Query: {
    auditLog: async (_parent, { filter, first, after }, { models, viewer }) => {
      const { page, totalCount } = await listAuditEntries(
        models,
        viewer,
        {
          action: filter?.action,
          actorName: filter?.actorName,
          targetId: filter?.targetId,
          outcome: filter?.outcome,
          from: filter?.at?.from,
          to: filter?.at?.to,
        },
        { first, after },
      );
      return { ...page, totalCount };
    },
  },
  AuditEntryConnection: {
    totalCount: (connection) => connection.totalCount(),
  },
  AuditEntry: {
    id: (entry) => toGlobalId('AuditEntry', entry._id),
  },
};

export const auditModule: ResolverModule = { resolvers };
