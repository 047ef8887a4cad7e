import type { Types } from 'mongoose';
import type { Models } from '../../db/index.js';
import { loaderById } from './keyed.js';

/**
 * What a resource's provenance may say about its feed to anyone who can see the resource: the
 * feed's name, as a published page says where its data comes from. Configs, runs and
 * quarantine stay behind the feed roles.
 */
export function feedLoaders(models: Models) {
  return {
    feedNameById: loaderById((ids) => models.Feed.find({ _id: { $in: [...ids] } }, { name: 1 }).lean<{ _id: Types.ObjectId; name: string }[]>()),
  };
}
