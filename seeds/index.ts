import type { Connection } from 'mongoose';
import { createModels, ensureIndexes } from '../src/db/index.js';
import type { NormalizedRecordInput } from '../src/domain/catalog/normalized-record.js';
import { SEED_DEPARTMENTS } from './reference/departments.js';
import { SEED_ORG_UNITS } from './reference/org-tree.js';
import { generateDemoResources } from './resources/generate.js';
import { seedFeedId, upsertDepartments, upsertOrgUnits, upsertResources, type UpsertCounts } from './store.js';

/**
 * The demo data: 湖州市's four-level org tree, the departments, and a deterministic catalogue of
 * services, policies and events. The content is illustrative: codes and names follow real
 * conventions, but the documents, phones and addresses below district level are invented.
 */
export { SEED_DEPARTMENTS, type SeedDepartment } from './reference/departments.js';
export { SEED_ORG_UNITS, ORG_TREE, type SeedOrgUnit } from './reference/org-tree.js';
export { generateDemoResources, DEMO_REFERENCE_DATE } from './resources/generate.js';
export { seedFeedId };

export interface SeedCounts {
  departments: UpsertCounts;
  orgUnits: UpsertCounts;
  resources: UpsertCounts;
}

/** Seeds an empty store, or brings a seeded one back to the seed. Idempotent: a second run changes nothing. */
export async function seedDemoData(connection: Connection, resources: readonly NormalizedRecordInput[] = generateDemoResources()): Promise<SeedCounts> {
  const models = createModels(connection);
  await ensureIndexes(models);
  const departments = await upsertDepartments(models, SEED_DEPARTMENTS);
  const orgUnits = await upsertOrgUnits(models, SEED_ORG_UNITS);
  const written = await upsertResources(models, resources);
  return { departments, orgUnits, resources: written };
}
