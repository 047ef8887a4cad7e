export * from './normalized-record.js';
export { compileResourceFilter, resourceFilterSchema, type ResourceFilterInput, type UnitByCode } from './filter.js';
export { RESOURCE_ORDER_FIELDS, resourceSort, type ResourceOrder, type ResourceOrderField, type SortDirection } from './order.js';
export {
  listResources,
  ResourceList,
  RESOURCE_FACETS,
  type FacetBucket,
  type ResourceFacetName,
  type ResourceListQuery,
} from './resource-list.js';
export {
  findPoliciesByDocNumbers,
  findPoliciesSupersededBy,
  findResourcesByIds,
  findServicesByItemCodes,
  findServicesByLegalBasis,
} from './links.js';
