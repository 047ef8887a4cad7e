/**
 * The parent value types resolvers receive (src/graphql/codegen maps GraphQL types to these), so that
 * resolvers work on stored documents and domain objects rather than GraphQL shapes.
 */
import type { EventDoc, PolicyDoc, ResourceDoc, ServiceDoc } from '../db/index.js';
import type { Edge } from '../domain/pagination/index.js';

export type { DepartmentDoc, EventDoc, OrgUnitDoc, PolicyDoc, Provenance as ProvenanceDoc, ServiceDoc } from '../db/index.js';
import type { ResourceList } from '../domain/catalog/index.js';

export type { ResourceList };
export type ServiceList = ResourceList<ServiceDoc>;
export type PolicyList = ResourceList<PolicyDoc>;
export type EventList = ResourceList<EventDoc>;
/** Facets are the same for every kind of list. */
export type AnyResourceList = ResourceList<ServiceDoc> | ResourceList<PolicyDoc> | ResourceList<EventDoc> | ResourceList;

export type ResourceEdgeModel = Edge<ResourceDoc>;
export type ServiceEdgeModel = Edge<ServiceDoc>;
export type PolicyEdgeModel = Edge<PolicyDoc>;
export type EventEdgeModel = Edge<EventDoc>;
