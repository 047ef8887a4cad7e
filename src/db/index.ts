import type { Connection } from 'mongoose';
import { departmentModel, type DepartmentModel } from './models/department.js';
import { orgUnitModel, type OrgUnitModel } from './models/org-unit.js';
import { resourceModels, type ResourceModels } from './models/resource.js';

export { connectStore, pingStore, type ConnectOptions } from './connection.js';
export * from './models/department.js';
export * from './models/org-unit.js';
export * from './models/resource.js';

/** The hub's models, bound to one connection. Add a collection: one model file + one line here. */
export interface Models extends ResourceModels {
  Department: DepartmentModel;
  OrgUnit: OrgUnitModel;
}

export function createModels(connection: Connection): Models {
  return {
    Department: departmentModel(connection),
    OrgUnit: orgUnitModel(connection),
    ...resourceModels(connection),
  };
}

/**
 * Creates every collection's indexes. Discriminator models share the base collection and
 * its indexes, so only base models are listed.
 */
export async function ensureIndexes(models: Models): Promise<void> {
  for (const model of [models.Department, models.OrgUnit, models.Resource]) {
    await model.createCollection().catch((error: unknown) => {
      if (!isNamespaceExists(error)) throw error;
    });
    await model.createIndexes();
  }
}

function isNamespaceExists(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'codeName' in error && error.codeName === 'NamespaceExists';
}
