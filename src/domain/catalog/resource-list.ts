import type { FilterQuery, PipelineStage } from 'mongoose';
import type { Models, ResourceBase, ResourceDoc } from '../../db/index.js';
import { paginate, preparePage, type Page, type PageArgs, type PreparedPage } from '../pagination/index.js';
import { visible, type Viewer } from '../visibility/index.js';
import { allOf, compileResourceFilter, type ResourceFilterInput, type UnitByCode } from './filter.js';
import type { ResourceKind } from './normalized-record.js';
import { resourceSort, type ResourceOrder } from './order.js';

/** Stored for the search index only: never shipped to the hub on reads (it can be hundreds of terms). */
export const UNREAD_FIELDS = { searchTerms: 0 } as const;

export const RESOURCE_FACETS = {
  department: { field: 'department', multi: false },
  kind: { field: 'kind', multi: false },
  category: { field: 'categories', multi: true },
  orgLevel: { field: 'orgLevels', multi: true },
} as const;
export type ResourceFacetName = keyof typeof RESOURCE_FACETS;

export interface FacetBucket {
  value: string;
  count: number;
}

export interface ResourceListQuery {
  /** Fixed by the connection (services, policies, events); none for `resources`. */
  kind?: ResourceKind;
  /** Fixed by the parent field, e.g. a unit's or a department's resources. */
  within?: FilterQuery<ResourceBase>;
  filter?: ResourceFilterInput | null;
  orderBy?: ResourceOrder | null;
  page: PageArgs;
  /** How to find the unit of filter.orgUnit; defaults to a query. */
  unitByCode?: UnitByCode;
}

const DEFAULT_ORDER: Record<ResourceKind | 'ANY', ResourceOrder> = {
  ANY: { field: 'UPDATED_AT', direction: 'DESC' },
  SERVICE: { field: 'UPDATED_AT', direction: 'DESC' },
  POLICY: { field: 'PUBLISHED_AT', direction: 'DESC' },
  EVENT: { field: 'STARTS_AT', direction: 'ASC' },
};

/**
 * One page of resources plus its totalCount and facets, each fetched only when asked for.
 * All three share the same match, which already includes the viewer's visibility, so counts
 * and facets always agree with the edges.
 */
export class ResourceList<T extends ResourceDoc = ResourceDoc> {
  private pageResult?: Promise<Page<T>>;
  private count?: Promise<number>;
  private readonly facetResults = new Map<ResourceFacetName, Promise<FacetBucket[]>>();

  constructor(
    private readonly models: Models,
    readonly match: FilterQuery<ResourceBase>,
    private readonly page: PreparedPage,
  ) {}

  edgesAndPageInfo(): Promise<Page<T>> {
    // The match pins the kind when T is narrower than ResourceDoc (see listResources).
    this.pageResult ??= paginate(this.models.Resource, this.match, this.page, UNREAD_FIELDS) as Promise<Page<T>>;
    return this.pageResult;
  }

  totalCount(): Promise<number> {
    this.count ??= this.models.Resource.countDocuments(this.match).exec();
    return this.count;
  }

  facet(name: ResourceFacetName): Promise<FacetBucket[]> {
    let result = this.facetResults.get(name);
    if (!result) {
      result = countBy(this.models, this.match, name);
      this.facetResults.set(name, result);
    }
    return result;
  }
}

/** Validates the query (filter, order, cursors) and returns the lazy list; throws InvalidInputError. */
export async function listResources<T extends ResourceDoc = ResourceDoc>(
  models: Models,
  viewer: Viewer,
  query: ResourceListQuery,
): Promise<ResourceList<T>> {
  const order = query.orderBy ?? DEFAULT_ORDER[query.kind ?? 'ANY'];
  const page = preparePage(query.page, resourceSort(order));
  const filter = await compileResourceFilter(models, query.filter, query.unitByCode);
  const match = visible(viewer, allOf([query.kind ? { kind: query.kind } : {}, query.within ?? {}, filter]));
  return new ResourceList<T>(models, match, page);
}

async function countBy(models: Models, match: FilterQuery<ResourceBase>, name: ResourceFacetName): Promise<FacetBucket[]> {
  const { field, multi } = RESOURCE_FACETS[name];
  const pipeline: PipelineStage[] = [{ $match: match }, { $project: { value: `$${field}` } }];
  if (multi) pipeline.push({ $unwind: '$value' });
  pipeline.push({ $group: { _id: '$value', count: { $sum: 1 } } }, { $sort: { count: -1, _id: 1 } });
  const rows = await models.Resource.aggregate<{ _id: unknown; count: number }>(pipeline).exec();
  return rows.filter((row) => row._id !== null && row._id !== undefined).map((row) => ({ value: String(row._id), count: row.count }));
}
