import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Types, type Connection } from 'mongoose';
import { connectStore, createModels, ensureIndexes, type Models } from '../../src/db/index.js';
import { reportModels } from '../../src/db/models/report.js';
import { AuditTrail } from '../../src/domain/audit/index.js';
import { createReportScheduler, listSnapshots, saveReport } from '../../src/domain/reports/index.js';
import type { UserViewer } from '../../src/domain/visibility/index.js';
import { uniqueDbName, uriForDb } from '../support/mongo.js';
import { buildCorpus, insertCorpus } from './corpus.js';

/** Scheduled snapshots: N instances firing the same cron slot take one snapshot, kept after the data changes. */

let connection: Connection;
let models: Models;
const analyst: UserViewer = { kind: 'user', userId: new Types.ObjectId(), username: 'analyst', grants: [{ role: 'ANALYST', orgUnit: null, department: null, stages: [] }] };
const silent = { error: () => {} };

beforeAll(async () => {
  connection = await connectStore(uriForDb(uniqueDbName('reports_snapshots')));
  models = createModels(connection);
  await ensureIndexes(models);
  await insertCorpus(models, buildCorpus({ districts: 2, townshipsPerDistrict: 2, unitsPerTownship: 2 }, 200, 3));
});

afterAll(async () => {
  await connection.close();
});

describe('scheduled snapshots', () => {
  it('three instances firing one slot store one snapshot; the next slot another; trends survive data changes', async () => {
    const audit = new AuditTrail(models.AuditEntry, analyst, null, null);
    const report = await saveReport(models, analyst, audit, { name: '按部门', input: { measures: ['RESOURCE_COUNT'], dimensions: [{ by: 'DEPARTMENT' }] }, schedule: '0 8 * * *' });
    const instances = [1, 2, 3].map(() => createReportScheduler(models, silent));
    const due = new Date('2024-03-01T00:00:00Z');
    const fired = await Promise.all(instances.map((scheduler) => scheduler.fire(report, due)));
    expect(fired.filter(Boolean)).toHaveLength(1);
    expect(await reportModels(connection).ReportSnapshot.countDocuments({ report: report._id })).toBe(1);

    const before = await models.Resource.countDocuments({ status: 'PUBLISHED' });
    await models.Resource.updateMany({ status: 'PUBLISHED', department: 'health' }, { $set: { status: 'WITHDRAWN' } });
    const next = new Date('2024-03-02T00:00:00Z');
    expect((await Promise.all(instances.map((scheduler) => scheduler.fire(report, next)))).filter(Boolean)).toHaveLength(1);

    const snapshots = await listSnapshots(models, analyst, report._id);
    expect(snapshots.map((snap) => snap.slot)).toEqual([`${report._id.toHexString()}@${next.getTime() / 1000}`, `${report._id.toHexString()}@${due.getTime() / 1000}`]);
    const totals = snapshots.map((snap) => (snap.table.totals as number[])[0]);
    expect(totals[1]).toBe(before);
    expect(totals[0]).toBe(await models.Resource.countDocuments({ status: 'PUBLISHED' }));
    expect(totals[0]).toBeLessThan(totals[1]!);
    await Promise.all(instances.map((scheduler) => scheduler.stop()));
  });

  it('refresh() schedules saved reports with a cron and drops deleted ones', async () => {
    const scheduler = createReportScheduler(models, silent);
    await scheduler.refresh();
    const { ReportDefinition } = reportModels(connection);
    expect(await ReportDefinition.countDocuments({ schedule: { $ne: null } })).toBeGreaterThan(0);
    await ReportDefinition.deleteMany({});
    await scheduler.refresh();
    await scheduler.stop();
  });
});
