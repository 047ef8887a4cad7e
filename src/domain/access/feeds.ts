import type { FilterQuery, Types } from 'mongoose';
import type { FeedDoc } from '../../db/models/feed.js';
import type { Models } from '../../db/index.js';
import type { Viewer } from '../visibility/index.js';
import type { AccessTarget } from './policy.js';

/**
 * Feeds as access targets. A feed sits in its department and at the org units of its
 * orgScope (with their ancestors); an empty orgScope places it nowhere in particular, so only
 * its department's admins and platform admins see it.
 */
export async function feedTarget(models: Pick<Models, 'OrgUnit'>, feed: Pick<FeedDoc, 'department' | 'orgScope'>): Promise<AccessTarget> {
  const units = feed.orgScope.length === 0 ? [] : await models.OrgUnit.find({ code: { $in: feed.orgScope } }, { ancestors: 1 }).lean();
  const orgPaths: Types.ObjectId[] = units.flatMap((unit) => [...unit.ancestors, unit._id]);
  return { department: feed.department, orgPaths };
}

/**
 * The feeds (and so runs and quarantine) a viewer may read, as a filter on feeds:
 * DEPARTMENT_ADMIN their department's, ORG_ADMIN those scoped into their subtree, platform
 * admins all. null: none at all.
 */
export async function feedVisibilityFilter(models: Pick<Models, 'OrgUnit'>, viewer: Viewer): Promise<FilterQuery<FeedDoc> | null> {
  if (viewer.kind === 'anonymous') return null;
  const clauses: FilterQuery<FeedDoc>[] = [];
  for (const grant of viewer.grants) {
    if (grant.role === 'PLATFORM_ADMIN') return {};
    if (grant.role === 'DEPARTMENT_ADMIN' && grant.department) clauses.push({ department: grant.department });
    if (grant.role === 'ORG_ADMIN' && grant.orgUnit) {
      const unitId = grant.orgUnit.id;
      const codes = await models.OrgUnit.distinct('code', { $or: [{ _id: unitId }, { ancestors: unitId }] });
      clauses.push({ orgScope: { $in: codes } });
    }
  }
  if (clauses.length === 0) return null;
  return clauses.length === 1 ? clauses[0]! : { $or: clauses };
}
