import type { FilterQuery, Types } from 'mongoose';
import type { Models, PolicyDoc, ResourceBase, ResourceDoc, ServiceDoc } from '../../db/index.js';
import { visible, type Viewer } from '../visibility/index.js';
import { UNREAD_FIELDS } from './resource-list.js';

/*
 * Batch lookups behind the per-request DataLoaders. Links between policies and services use
 * natural keys (发文字号, 事项编码), so they hold whichever record was synced first. Every
 * lookup goes through the viewer's visibility filter.
 */

async function findVisible<T extends ResourceDoc>(models: Models, viewer: Viewer, filter: FilterQuery<ResourceBase>): Promise<T[]> {
  return models.Resource.find(visible(viewer, filter), UNREAD_FIELDS).sort({ _id: 1 }).lean<T[]>().exec();
}

export function findResourcesByIds(models: Models, viewer: Viewer, ids: readonly Types.ObjectId[]): Promise<ResourceDoc[]> {
  return findVisible(models, viewer, { _id: { $in: ids } });
}

/** Policies with any of these 发文字号. */
export function findPoliciesByDocNumbers(models: Models, viewer: Viewer, docNumbers: readonly string[]): Promise<PolicyDoc[]> {
  return findVisible(models, viewer, { kind: 'POLICY', docNumber: { $in: docNumbers } });
}

/** Policies replaced by any of these 发文字号 (the reverse of supersededBy). */
export function findPoliciesSupersededBy(models: Models, viewer: Viewer, docNumbers: readonly string[]): Promise<PolicyDoc[]> {
  return findVisible(models, viewer, { kind: 'POLICY', supersededByDocNumber: { $in: docNumbers } });
}

/** Services with any of these 事项编码. */
export function findServicesByItemCodes(models: Models, viewer: Viewer, itemCodes: readonly string[]): Promise<ServiceDoc[]> {
  return findVisible(models, viewer, { kind: 'SERVICE', itemCode: { $in: itemCodes } });
}

/** Services whose 设定依据 names any of these 发文字号. */
export function findServicesByLegalBasis(models: Models, viewer: Viewer, docNumbers: readonly string[]): Promise<ServiceDoc[]> {
  return findVisible(models, viewer, { kind: 'SERVICE', legalBasisDocNumbers: { $in: docNumbers } });
}
