import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStore, createModels, type Models } from '../../src/db/index.js';
import { normalizedRecordSchema } from '../../src/domain/catalog/normalized-record.js';
import {
  generateDemoResources,
  seedDemoData,
  SEED_DEPARTMENTS,
  SEED_ORG_UNITS,
  type SeedCounts,
} from '../../seeds/index.js';
import { isValidUscc } from '../../seeds/uscc.js';
import { uniqueDbName, uriForDb } from '../support/mongo.js';

describe('demo data', () => {
  let connection: Connection;
  let models: Models;
  let first: SeedCounts;

  beforeAll(async () => {
    connection = await connectStore(uriForDb(uniqueDbName('seeds')));
    models = createModels(connection);
    first = await seedDemoData(connection);
  });

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('is generated identically on every run', () => {
    expect(JSON.stringify(generateDemoResources())).toBe(JSON.stringify(generateDemoResources()));
  });

  it('consists of at least 200 valid records of every kind, with unique natural keys', () => {
    const records = generateDemoResources();
    expect(records.length).toBeGreaterThanOrEqual(200);
    const failures = records.flatMap((r) => {
      const parsed = normalizedRecordSchema.safeParse(r);
      return parsed.success ? [] : [`${r.sourceId}: ${parsed.error.message}`];
    });
    expect(failures).toEqual([]);
    const kinds = new Set(records.map((r) => r.kind));
    expect([...kinds].sort()).toEqual(['EVENT', 'POLICY', 'SERVICE']);
    expect(new Set(records.map((r) => `${r.department}|${r.sourceId}`)).size).toBe(records.length);
  });

  it('links services to policies that exist, and superseded policies to their successors', () => {
    const records = generateDemoResources();
    const policies = records.flatMap((r) => (r.kind === 'POLICY' ? [r] : []));
    const docNumbers = new Set(policies.map((p) => p.docNumber));
    expect(docNumbers.size).toBe(policies.length);
    for (const service of records.flatMap((r) => (r.kind === 'SERVICE' ? [r] : []))) {
      for (const basis of service.legalBasisDocNumbers ?? []) expect(docNumbers).toContain(basis);
    }
    const repealed = policies.filter((p) => p.validity === 'REPEALED');
    expect(repealed.length).toBeGreaterThan(0);
    for (const p of repealed) expect(docNumbers).toContain(p.supersededByDocNumber);
    const validities = new Set(policies.map((p) => p.validity));
    expect([...validities].sort()).toEqual(['EXPIRED', 'REPEALED', 'VALID']);
    expect(policies.some((p) => /〔20\d\d〕\d+号$/.test(p.docNumber ?? ''))).toBe(true);
  });

  it('holds a few internal and restricted records', () => {
    const levels = generateDemoResources().map((r) => r.confidentiality ?? 'PUBLIC');
    expect(levels.filter((c) => c === 'INTERNAL').length).toBeGreaterThanOrEqual(3);
    expect(levels).toContain('RESTRICTED');
    expect(levels).not.toContain('CLASSIFIED');
  });

  it('stores everything on the first run', async () => {
    const records = generateDemoResources();
    expect(first.departments.created).toBe(SEED_DEPARTMENTS.length);
    expect(first.orgUnits.created).toBe(SEED_ORG_UNITS.length);
    expect(first.resources.created).toBe(records.length);
    expect(await models.Resource.countDocuments()).toBe(records.length);
    expect(await models.Department.countDocuments()).toBe(SEED_DEPARTMENTS.length);
    expect(await models.OrgUnit.countDocuments()).toBe(SEED_ORG_UNITS.length);
  });

  it('changes nothing when run a second time', async () => {
    const second = await seedDemoData(connection);
    expect(second.departments).toEqual({ created: 0, updated: 0, unchanged: SEED_DEPARTMENTS.length });
    expect(second.orgUnits).toEqual({ created: 0, updated: 0, unchanged: SEED_ORG_UNITS.length });
    expect(second.resources).toEqual({ created: 0, updated: 0, unchanged: first.resources.created });
    expect(await models.Resource.countDocuments()).toBe(first.resources.created);
  });

  it('builds a four-level tree with consistent parents and ancestors', async () => {
    const units = await models.OrgUnit.find().lean();
    const byId = new Map(units.map((u) => [u._id.toHexString(), u]));
    const count = (level: number) => units.filter((u) => u.level === level).length;
    expect(count(1)).toBe(1);
    expect(count(2)).toBeGreaterThanOrEqual(2);
    for (const unit of units) {
      expect(unit.ancestors).toHaveLength(unit.level - 1);
      if (unit.level === 1) {
        expect(unit.parentId).toBeNull();
        continue;
      }
      const parent = byId.get(unit.parentId!.toHexString())!;
      expect(parent.level).toBe(unit.level - 1);
      expect(unit.ancestors.map(String)).toEqual([...parent.ancestors, parent._id].map(String));
      const children = units.filter((u) => u.parentId?.equals(unit._id));
      if (unit.level === 2) expect(children.length).toBeGreaterThanOrEqual(2);
      if (unit.level === 3) expect(children.length).toBeGreaterThanOrEqual(3);
    }
    const grassroots = new Set(units.filter((u) => u.level === 4).map((u) => u.kind));
    expect([...grassroots].sort()).toEqual(['AGENCY', 'COMMUNITY', 'ENTERPRISE', 'VILLAGE']);
  });

  it('uses division codes that extend their parent, and credit codes for agencies and enterprises', () => {
    const byCode = new Map(SEED_ORG_UNITS.map((u) => [u.code, u]));
    for (const unit of SEED_ORG_UNITS) {
      if (unit.kind === 'AGENCY' || unit.kind === 'ENTERPRISE') {
        expect(isValidUscc(unit.code), unit.code).toBe(true);
        expect(unit.code.slice(0, 2)).toBe(unit.kind === 'AGENCY' ? '11' : '91');
        continue;
      }
      expect(unit.code).toHaveLength([6, 6, 9, 12][unit.level - 1]!);
      // 330500 (湖州市) → 330502 (吴兴区): a division code extends its parent's without the trailing zeros.
      if (unit.parentCode) expect(unit.code.startsWith(byCode.get(unit.parentCode)!.code.replace(/0+$/, ''))).toBe(true);
    }
  });

  it('publishes resources placed at their units, with search terms', async () => {
    const village = await models.OrgUnit.findOne({ code: '330502100202' }).lean();
    const seen = await models.Resource.find({ orgUnits: village!._id }).lean();
    expect(seen.length).toBeGreaterThan(0);
    for (const r of seen) {
      expect(r.status).toBe('PUBLISHED');
      expect(r.orgPaths).toHaveLength(4);
      expect(r.searchTerms.length).toBeGreaterThan(0);
    }
    const levels = await models.Resource.distinct('orgLevels');
    expect(levels.sort()).toEqual([1, 2, 3, 4]);
  });
});
