import type { EventDoc, PolicyDoc, ResourceBase, ResourceDoc, ServiceDoc } from '../../db/index.js';
import { listResources, type ResourceKind, type ResourceList, type ResourceListQuery } from '../../domain/catalog/index.js';
import { scopeFilter } from '../../domain/org/index.js';
import type { GraphQLContext } from '../context.js';
import type { QueryResourcesArgs, Resolvers } from '../generated/resolvers-types.js';
import { toGlobalId } from '../global-id.js';
import { present } from '../loaders/keyed.js';
import type { ResolverModule } from './module.js';

const TYPE_OF_KIND = { SERVICE: 'Service', POLICY: 'Policy', EVENT: 'Event' } as const satisfies Record<ResourceKind, string>;

function list<T extends ResourceDoc>(
  context: GraphQLContext,
  args: QueryResourcesArgs,
  fixed: Pick<ResourceListQuery, 'kind' | 'within'> = {},
): Promise<ResourceList<T>> {
  const { first, after, last, before, filter, orderBy } = args;
  return listResources<T>(context.models, context.viewer, {
    ...fixed,
    filter,
    orderBy,
    page: { first, after, last, before },
    unitByCode: (code) => context.loaders.orgUnitByCode.load(code),
  });
}

/** Field resolvers every Resource type shares; `id` carries the concrete type. */
function resourceFields(type: (typeof TYPE_OF_KIND)[ResourceKind]) {
  return {
    id: (resource: ResourceBase) => toGlobalId(type, resource._id),
    department: (resource: ResourceBase, _args: unknown, { loaders }: GraphQLContext) => loaders.departmentByCode.load(resource.department),
    orgUnits: async (resource: ResourceBase, _args: unknown, { loaders }: GraphQLContext) => present(await loaders.orgUnitById.loadMany(resource.orgUnits)),
  };
}

/** Connection fields shared by the four connection types; the parent is a lazy ResourceList. */
function connectionFields<T extends ResourceDoc>() {
  return {
    edges: async (list: ResourceList<T>) => (await list.edgesAndPageInfo()).edges,
    nodes: async (list: ResourceList<T>) => (await list.edgesAndPageInfo()).edges.map((edge) => edge.node),
    pageInfo: async (list: ResourceList<T>) => (await list.edgesAndPageInfo()).pageInfo,
    totalCount: (list: ResourceList<T>) => list.totalCount(),
    facets: (list: ResourceList<T>) => list,
  };
}

function uniqueById<T extends { _id: ResourceBase['_id'] }>(docs: T[]): T[] {
  const seen = new Map(docs.map((doc) => [doc._id.toHexString(), doc]));
  return [...seen.values()];
}

const resolvers: Resolvers = {
  Query: {
    resources: (_parent, args, context) => list(context, args),
    services: (_parent, args, context) => list<ServiceDoc>(context, args, { kind: 'SERVICE' }),
    policies: (_parent, args, context) => list<PolicyDoc>(context, args, { kind: 'POLICY' }),
    events: (_parent, args, context) => list<EventDoc>(context, args, { kind: 'EVENT' }),
  },
  OrgUnit: {
    resources: (unit, args, context) => list(context, args, { within: scopeFilter(unit, args.scope ?? 'INHERITED') }),
  },
  Department: {
    resources: (department, args, context) => list(context, args, { within: { department: department.code } }),
  },
  Resource: {
    __resolveType: (resource) => TYPE_OF_KIND[resource.kind],
  },
  Service: {
    ...resourceFields('Service'),
    legalBasis: async (service, _args, { loaders }) =>
      uniqueById((await loaders.policiesByDocNumber.loadMany(service.legalBasisDocNumbers)).flatMap(groupOrThrow)),
  },
  Policy: {
    ...resourceFields('Policy'),
    supersededBy: async (policy, _args, { loaders }) =>
      policy.supersededByDocNumber ? ((await loaders.policiesByDocNumber.load(policy.supersededByDocNumber))[0] ?? null) : null,
    supersedes: (policy, _args, { loaders }) => (policy.docNumber ? loaders.policiesSupersededBy.load(policy.docNumber) : []),
    relatedServices: async (policy, _args, { loaders }) => {
      const [named, basedOn] = await Promise.all([
        loaders.servicesByItemCode.loadMany(policy.relatedServiceItemCodes),
        policy.docNumber ? loaders.servicesByLegalBasis.load(policy.docNumber) : Promise.resolve([]),
      ]);
      return uniqueById([...named.flatMap(groupOrThrow), ...basedOn]);
    },
  },
  Event: {
    ...resourceFields('Event'),
  },
  Provenance: {
    feedId: (provenance) => provenance.feedId.toHexString(),
    feedName: async (provenance, _args, { loaders }) => (await loaders.feedNameById.load(provenance.feedId))?.name ?? null,
    runId: (provenance) => provenance.runId?.toHexString() ?? null,
    issuerCopy: (provenance) => provenance.issuerCopy ?? false,
  },
  ResourceConnection: connectionFields<ResourceDoc>(),
  ServiceConnection: connectionFields<ServiceDoc>(),
  PolicyConnection: connectionFields<PolicyDoc>(),
  EventConnection: connectionFields<EventDoc>(),
  ResourceFacets: {
    department: (list) => list.facet('department'),
    kind: (list) => list.facet('kind'),
    category: (list) => list.facet('category'),
    orgLevel: (list) => list.facet('orgLevel'),
  },
};

function groupOrThrow<T>(group: T[] | Error): T[] {
  if (group instanceof Error) throw group;
  return group;
}

const resourceOfKind =
  (kind: ResourceKind) =>
  async (id: ResourceBase['_id'], { loaders }: GraphQLContext) => {
    const resource = await loaders.resourceById.load(id);
    return resource?.kind === kind ? resource : null;
  };

export const catalogModule: ResolverModule = {
  resolvers,
  nodeTypes: {
    Service: resourceOfKind('SERVICE'),
    Policy: resourceOfKind('POLICY'),
    Event: resourceOfKind('EVENT'),
  },
};
