import type { FilterQuery } from 'mongoose';
import type { ResourceBase } from '../../db/index.js';

/**
 * Who is asking. Only anonymous readers exist for now; authenticated viewers with roles and
 * scopes (issue 5) join this union as further variants, and visibilityFilter grows a case
 * for each, so that no other code needs to change.
 */
export type Viewer = AnonymousViewer;

export interface AnonymousViewer {
  kind: 'anonymous';
}

export const anonymousViewer: AnonymousViewer = Object.freeze({ kind: 'anonymous' });

/**
 * The one place that turns a viewer into the resources it may see, as a MongoDB filter.
 * Every read path (lists, node(id), nested fields, counts, facets, search, reports) ANDs
 * this filter into its query; no resolver builds its own access filter.
 */
export function visibilityFilter(viewer: Viewer): FilterQuery<ResourceBase> {
  switch (viewer.kind) {
    case 'anonymous':
      return { status: 'PUBLISHED', confidentiality: 'PUBLIC' };
  }
}

/** `filter` restricted to what the viewer may see. */
export function visible(viewer: Viewer, filter: FilterQuery<ResourceBase>): FilterQuery<ResourceBase> {
  const access = visibilityFilter(viewer);
  return Object.keys(filter).length === 0 ? access : { $and: [access, filter] };
}
