import type { Models } from '../../db/index.js';
import type { Viewer } from '../../domain/visibility/index.js';
import { catalogLoaders } from './catalog.js';
import { feedLoaders } from './feeds.js';
import { orgLoaders } from './org.js';

/**
 * Per-request DataLoaders: created with each request's context, so batching and caching never
 * cross requests or viewers. Add a domain's loaders: a file exporting `xLoaders(models, viewer)`
 * and one spread line here.
 */
export function createLoaders(models: Models, viewer: Viewer) {
  return {
    ...orgLoaders(models),
    ...catalogLoaders(models, viewer),
    ...feedLoaders(models),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
