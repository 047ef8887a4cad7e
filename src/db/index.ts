import type { Connection } from 'mongoose';
import { accessModels, type AccessModels } from './models/access.js';
import { ingestModels, type IngestModels } from './models/ingest.js';
import { departmentModel, type DepartmentModel } from './models/department.js';
import { hubMetaModel, type HubMetaModel } from './models/hub-meta.js';
import { orgUnitModel, type OrgUnitModel } from './models/org-unit.js';
import { resourceModels, type ResourceModels } from './models/resource.js';

export { connectStore, pingStore, type ConnectOptions } from './connection.js';
export * from './models/department.js';
export * from './models/org-unit.js';
export * from './models/resource.js';
export * from './models/user.js';
export * from './models/audit-entry.js';
export * from './models/review.js';
export * from './models/ingest.js';
export * from './models/hub-meta.js';
export type { AccessModels } from './models/access.js';

/** The hub's models, bound to one connection. Add a collection: one model file + one line here. */
export interface Models extends ResourceModels, AccessModels, IngestModels {
  Department: DepartmentModel;
  OrgUnit: OrgUnitModel;
  HubMeta: HubMetaModel;
}

export function createModels(connection: Connection): Models {
  return {
    Department: departmentModel(connection),
    OrgUnit: orgUnitModel(connection),
    HubMeta: hubMetaModel(connection),
    ...resourceModels(connection),
    ...accessModels(connection),
    ...ingestModels(connection),
  };
}

/**
 * Creates every collection's indexes. Discriminator models share the base collection and
 * its indexes, so only base models are listed.
 */
export async function ensureIndexes(models: Models): Promise<void> {
  for (const model of [models.Department, models.OrgUnit, models.Resource, models.User, models.AuditEntry, models.ReviewCase, models.ResourceVersion, models.ReviewComment, models.Feed, models.SyncRun, models.Quarantine, models.Lease, models.WebhookReceipt, models.FeedFile, models.HubMeta]) {
    await model.createCollection().catch((error: unknown) => {
      if (!isNamespaceExists(error)) throw error;
    });
    await model.createIndexes();
  }
}

function isNamespaceExists(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'codeName' in error && error.codeName === 'NamespaceExists';
}
