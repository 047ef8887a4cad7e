import { createHash } from 'node:crypto';
import { Types, type Model } from 'mongoose';
import type { Models } from '../src/db/index.js';
import type { ReviewPolicy } from '../src/db/models/feed.js';
import { normalizedRecordSchema, type NormalizedRecordInput } from '../src/domain/catalog/normalized-record.js';
import { contentHash, stableStringify } from '../src/ingest/content-hash.js';
import { OrgUnitResolver } from '../src/ingest/org-units.js';
import { writeResources, type StorableRecord, type WriteCounts } from '../src/ingest/resource-writer.js';
import { computeSearchTerms, type Searchable } from '../src/search/terms.js';
import type { SeedDepartment } from './reference/departments.js';
import type { SeedOrgUnit } from './reference/org-tree.js';

/** How many documents an upsert pass created, changed, and found already up to date. */
export interface UpsertCounts {
  created: number;
  updated: number;
  unchanged: number;
}

/** Plain JSON with sorted keys: ObjectIds become hex strings, Dates ISO strings. */
function comparable(value: unknown): string {
  return stableStringify(JSON.parse(JSON.stringify(value ?? null)));
}

/**
 * Upserts documents by their `code`, writing only those that are new or differ from the
 * stored copy in one of the given fields, so that a second run costs no writes and keeps
 * `updatedAt`.
 */
async function upsertByCode<T extends { code: string }>(
  model: Model<T>,
  items: readonly { code: string; fields: Record<string, unknown> }[],
): Promise<UpsertCounts> {
  const counts: UpsertCounts = { created: 0, updated: 0, unchanged: 0 };
  const stored = await model.find({ code: { $in: items.map((i) => i.code) } }).lean();
  const byCode = new Map(stored.map((doc) => [(doc as { code: string }).code, doc as Record<string, unknown>]));
  const ops: Parameters<Model<T>['bulkWrite']>[0] = [];
  for (const item of items) {
    const existing = byCode.get(item.code);
    const differs = !existing || Object.entries(item.fields).some(([key, value]) => comparable(existing[key]) !== comparable(value));
    if (!differs) {
      counts.unchanged += 1;
      continue;
    }
    counts[existing ? 'updated' : 'created'] += 1;
    ops.push({ updateOne: { filter: { code: item.code }, update: { $set: item.fields }, upsert: true } });
  }
  if (ops.length > 0) await model.bulkWrite(ops, { ordered: false });
  return counts;
}

/** Upserts departments by code; contact details and names follow the seed. */
export async function upsertDepartments(models: Models, departments: readonly SeedDepartment[]): Promise<UpsertCounts> {
  return upsertByCode(
    models.Department,
    departments.map((d, sortOrder) => ({
      code: d.code,
      fields: {
        name: d.name,
        contact: d.contact,
        sortOrder,
      },
    })),
  );
}

/**
 * Upserts the tree by code, one level at a time so that each unit's parent id and ancestors
 * can be taken from the level above as stored.
 */
export async function upsertOrgUnits(models: Models, units: readonly SeedOrgUnit[]): Promise<UpsertCounts> {
  const total: UpsertCounts = { created: 0, updated: 0, unchanged: 0 };
  const stored = new Map<string, { _id: Types.ObjectId; ancestors: Types.ObjectId[] }>();
  for (const level of [1, 2, 3, 4] as const) {
    const atLevel = units.filter((u) => u.level === level);
    if (atLevel.length === 0) continue;
    const counts = await upsertByCode(
      models.OrgUnit,
      atLevel.map((unit, sortOrder) => {
        const parent = unit.parentCode ? stored.get(unit.parentCode) : undefined;
        if (unit.parentCode && !parent) throw new Error(`上级组织不存在 / Parent ${unit.parentCode} of ${unit.code} is missing`);
        return {
          code: unit.code,
          fields: {
            name: unit.name,
            level: unit.level,
            kind: unit.kind,
            parentId: parent?._id ?? null,
            ancestors: parent ? [...parent.ancestors, parent._id] : [],
            address: unit.address,
            sortOrder,
          },
        };
      }),
    );
    total.created += counts.created;
    total.updated += counts.updated;
    total.unchanged += counts.unchanged;
    const docs = await models.OrgUnit.find({ code: { $in: atLevel.map((u) => u.code) } }, { code: 1, ancestors: 1 }).lean();
    for (const doc of docs) stored.set(doc.code, { _id: doc._id, ancestors: doc.ancestors });
  }
  return total;
}

/**
 * Seeded resources carry provenance like synced ones, under a fixed pseudo-feed id per
 * department, so that (department, sourceId) is their natural key and the sync engine's
 * writer gives them the same upsert, hashing and searchTerms rules as synced records.
 * No feed document exists for these ids.
 */
export function seedFeedId(department: string): Types.ObjectId {
  return new Types.ObjectId(createHash('sha1').update(`gongxiang-seed:${department}`).digest('hex').slice(0, 24));
}

const SEED_RUN_ID = new Types.ObjectId('5eed00000000000000000000');

/** Validates, places and writes the resources; a record that does not validate stops the seed. */
export async function upsertResources(models: Models, records: readonly NormalizedRecordInput[]): Promise<WriteCounts> {
  const byDepartment = new Map<string, NormalizedRecordInput[]>();
  for (const input of records) {
    const list = byDepartment.get(input.department) ?? [];
    list.push(input);
    byDepartment.set(input.department, list);
  }
  const total: WriteCounts = { created: 0, updated: 0, unchanged: 0 };
  for (const [department, list] of byDepartment) {
    const counts = await writeSeedRecords(models, list, seedFeedId(department), 'AUTO_PUBLISH');
    total.created += counts.created;
    total.updated += counts.updated;
    total.unchanged += counts.unchanged;
  }
  return total;
}

/** Writes records as one (pseudo-)feed would, with the sync engine's writer; published or pending per the policy. */
export async function writeSeedRecords(models: Models, records: readonly NormalizedRecordInput[], feedId: Types.ObjectId, reviewPolicy: ReviewPolicy): Promise<WriteCounts> {
  const resolver = new OrgUnitResolver(models.OrgUnit);
  await resolver.load(records.flatMap((r) => r.orgUnitCodes ?? []));
  const items: StorableRecord[] = records.map((input) => {
    const record = normalizedRecordSchema.parse(input);
    const placed = resolver.place(record.orgUnitCodes);
    if (!placed.ok) throw new Error(`演示数据引用了不存在的组织 / Seed record ${record.sourceId} names unknown org units: ${placed.unknown.join(', ')}`);
    return { sourceId: record.sourceId, record, hash: contentHash(record), placement: placed.placement };
  });
  return writeResources(items, {
    Resource: models.Resource,
    feedId,
    runId: SEED_RUN_ID,
    reviewPolicy,
    searchTerms: (resource) => computeSearchTerms(resource as Searchable),
  });
}
