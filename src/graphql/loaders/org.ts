import { Types } from 'mongoose';
import type { Models } from '../../db/index.js';
import { findDepartmentsByCodes, findDepartmentsByIds } from '../../domain/departments/index.js';
import { findChildrenOf, findUnitsByCodes, findUnitsByIds } from '../../domain/org/index.js';
import { loaderById, loaderByKey, loaderOfGroups } from './keyed.js';

export function orgLoaders(models: Models) {
  return {
    departmentById: loaderById((ids) => findDepartmentsByIds(models, ids)),
    departmentByCode: loaderByKey((codes) => findDepartmentsByCodes(models, codes), (doc) => doc.code),
    orgUnitById: loaderById((ids) => findUnitsByIds(models, ids)),
    orgUnitByCode: loaderByKey((codes) => findUnitsByCodes(models, codes), (doc) => doc.code),
    /** Keyed by the parent's hex id. */
    orgUnitChildren: loaderOfGroups(
      (parentIds) => findChildrenOf(models, parentIds.map((id) => new Types.ObjectId(id))),
      (doc) => (doc.parentId ? [doc.parentId.toHexString()] : []),
    ),
  };
}
