import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import ExcelJS from 'exceljs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from 'mongoose';
import { connectStore, createModels, ensureIndexes, type Models } from '../../src/db/index.js';
import { createAuthRuntime, loadAuthConfig, type GrantInput } from '../../src/domain/auth/index.js';
import { createApp, type HubApp } from '../../src/http/index.js';
import { reportExportRouter } from '../../src/http/report-export.js';
import { createLogger } from '../../src/logging/index.js';
import { uniqueDbName, uriForDb } from '../support/mongo.js';
import { buildCorpus, insertCorpus, type Corpus } from './corpus.js';

/** The reports API over real HTTP: GraphQL, saved reports, snapshots, exports and their audit entries. */

const PASSWORD = 'correct horse battery';
let connection: Connection;
let models: Models;
let corpus: Corpus;
let server: Server;
let hub: HubApp;
let base: string;
const tokens: Record<string, string> = {};

interface GqlResult<T> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

async function gql<T = any>(query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GqlResult<T>> {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, ...((await response.json()) as object) };
}

beforeAll(async () => {
  connection = await connectStore(uriForDb(uniqueDbName('reports_api')));
  models = createModels(connection);
  await ensureIndexes(models);
  corpus = buildCorpus({ districts: 2, townshipsPerDistrict: 2, unitsPerTownship: 3 }, 400, 11);
  await insertCorpus(models, corpus);
  const auth = createAuthRuntime(models, loadAuthConfig({ AUTH_JWT_SECRET: 'reports-api-test-secret-0123456789abcdef' }));
  const viewerOf = (req: { get(name: string): string | undefined }) => auth.viewerOf(req.get('authorization'));
  hub = await createApp({ connection, models, log: createLogger('silent'), auth, routes: [reportExportRouter({ models, viewerOf })] });
  server = hub.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const district = corpus.units.find((unit) => unit.level === 2)!;
  const users: Record<string, GrantInput[]> = {
    admin: [{ role: 'PLATFORM_ADMIN' }],
    analyst: [{ role: 'ANALYST' }],
    district: [{ role: 'ANALYST', orgUnitCode: district.code }],
    member: [{ role: 'MEMBER', orgUnitCode: district.code }],
  };
  for (const [username, grants] of Object.entries(users)) {
    await auth.service.createUserUnchecked({ username, displayName: username, password: PASSWORD, grants });
    const login = await gql<{ login: { token: string } }>('mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', { u: username, p: PASSWORD });
    tokens[username] = login.data!.login.token;
  }
});

afterAll(async () => {
  hub.markShuttingDown();
  await new Promise((resolve) => server.close(resolve));
  await hub.stop();
  await connection.close();
});

const REPORT = `query($input: ReportInput!) { report(input: $input) { columns { key label type role } rows { keys cells gap } totals pipeline collection } }`;
const SAVE = `mutation($name: String!, $input: ReportInput!, $schedule: String) { saveReport(name: $name, input: $input, schedule: $schedule) { id name exportPath schedule owner } }`;

describe('report(input)', () => {
  it('returns typed columns, rows and totals; the pipeline only for platform admins', async () => {
    const input = { measures: ['RESOURCE_COUNT', 'SERVICE_COUNT'], dimensions: [{ by: 'DEPARTMENT' }] };
    const asAdmin = await gql(REPORT, { input }, tokens.admin);
    expect(asAdmin.errors).toBeUndefined();
    const table = asAdmin.data.report;
    expect(table.columns.map((c: { key: string; type: string }) => [c.key, c.type])).toEqual([['DEPARTMENT', 'STRING'], ['RESOURCE_COUNT', 'INTEGER'], ['SERVICE_COUNT', 'INTEGER']]);
    expect(table.totals[0]).toBe(corpus.resources.length);
    expect(table.rows.reduce((sum: number, row: { cells: number[] }) => sum + row.cells[1]!, 0)).toBe(corpus.resources.length);
    expect(Array.isArray(table.pipeline)).toBe(true);
    expect(JSON.stringify(table.pipeline)).toContain('$facet');
    const asAnalyst = await gql(REPORT, { input }, tokens.analyst);
    expect(asAnalyst.data.report.pipeline).toBeNull();
    expect(asAnalyst.data.report.totals[0]).toBe(corpus.resources.filter((doc) => doc.status === 'PUBLISHED').length);
  });

  it('refuses anonymous callers, members and bad input', async () => {
    const input = { measures: ['RESOURCE_COUNT'], dimensions: [] };
    expect((await gql(REPORT, { input })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await gql(REPORT, { input }, tokens.member)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const bad = await gql(REPORT, { input: { measures: ['RESOURCE_COUNT'], dimensions: [{ by: 'ORG_UNIT' }] } }, tokens.admin);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).toMatch(/无效的报表定义.*Invalid report/);
  });

  it('runs built-in reports', async () => {
    const coverage = await gql(REPORT, { input: { builtIn: 'COVERAGE_MATRIX', level: 4 } }, tokens.admin);
    expect(coverage.errors).toBeUndefined();
    const villages = corpus.units.filter((unit) => unit.level === 4).length;
    const withUnit = coverage.data.report.rows.filter((row: { keys: (string | null)[] }) => row.keys[0] !== null);
    expect(withUnit.length).toBe(villages * 5);
    for (const name of ['FEED_HEALTH', 'POLICY_LANDSCAPE', 'POLICIES_EXPIRING', 'REVIEW_BACKLOG']) {
      const result = await gql(REPORT, { input: { builtIn: name } }, tokens.admin);
      expect(result.errors, name).toBeUndefined();
      expect(result.data.report.rows.length, name).toBeGreaterThan(0);
    }
  });
});

describe('saved reports, snapshots and exports', () => {
  let reportId: string;
  let exportPath: string;

  it('saves (audited), lists within scope, snapshots', async () => {
    const input = { measures: ['RESOURCE_COUNT'], dimensions: [{ by: 'AUDIENCE' }, { by: 'ISSUER' }], filter: { createdAt: { from: '2023-01-01T00:00:00Z' } } };
    const saved = await gql(SAVE, { name: '服务对象 × 发文机关', input, schedule: '0 8 * * 1' }, tokens.analyst);
    expect(saved.errors).toBeUndefined();
    reportId = saved.data.saveReport.id;
    exportPath = saved.data.saveReport.exportPath;
    expect(saved.data.saveReport.schedule).toBe('0 8 * * 1');
    expect((await gql(SAVE, { name: 'x', input, schedule: 'not cron' }, tokens.analyst)).errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    const listed = await gql('{ savedReports { id name } }', {}, tokens.analyst);
    expect(listed.data.savedReports.map((r: { id: string }) => r.id)).toContain(reportId);
    // An unscoped analyst's report is outside a district analyst's scope.
    const scoped = await gql('{ savedReports { id } }', {}, tokens.district);
    expect(scoped.data.savedReports.map((r: { id: string }) => r.id)).not.toContain(reportId);

    const snap = await gql('mutation($id: ID!) { snapshotReport(id: $id) { id takenAt table { totals rows { cells } } } }', { id: reportId }, tokens.analyst);
    expect(snap.errors).toBeUndefined();
    const snapshots = await gql('query($id: ID!) { reportSnapshots(reportId: $id) { id table { totals } } }', { id: reportId }, tokens.analyst);
    expect(snapshots.data.reportSnapshots).toHaveLength(1);
    expect(snapshots.data.reportSnapshots[0].table.totals[0]).toBe(corpus.resources.filter((doc) => doc.status === 'PUBLISHED').length);
    expect(await models.AuditEntry.countDocuments({ action: 'report.save', actorName: 'analyst' })).toBe(1);
  });

  it('exports CSV: UTF-8 BOM, parsed back, formula injection neutralised, audited', async () => {
    const before = await models.AuditEntry.countDocuments({ action: 'report.export' });
    const response = await fetch(`${base}${exportPath}?format=csv`, { headers: { authorization: `Bearer ${tokens.analyst}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const records = parse(bytes.subarray(3).toString('utf8'), { relax_column_count: false }) as string[][];
    const [header, ...rows] = records;
    expect(header).toEqual(['服务对象 / Audience', '发文机关 / Issuer', '资源数 / Resources']);
    const published = corpus.resources.filter((doc) => doc.status === 'PUBLISHED');
    expect(rows.reduce((sum, row) => sum + Number(row[2]), 0)).toBe(
      published.reduce((sum, doc) => sum + Math.max(1, new Set(doc.audience as string[]).size) * Math.max(1, new Set((doc.issuers as string[] | undefined) ?? []).size), 0),
    );
    // Values starting with = + - @ (the corpus has "=SUM(A1)" and "+cmd|calc") start with an apostrophe.
    const cells = rows.flatMap((row) => row.slice(0, 2));
    expect(cells).toContain("'=SUM(A1)");
    expect(cells).toContain("'+cmd|calc");
    expect(cells.every((cell) => !/^[=+\-@\t\r]/.test(cell))).toBe(true);
    expect(await models.AuditEntry.countDocuments({ action: 'report.export' })).toBe(before + 1);
    const entry = await models.AuditEntry.findOne({ action: 'report.export' }).sort({ at: -1 }).lean();
    expect(entry).toMatchObject({ actorName: 'analyst', outcome: 'SUCCESS', detail: expect.stringMatching(/^csv \d+ rows$/) });
  });

  it('exports XLSX read back with exceljs: header row and numeric column types, audited', async () => {
    const before = await models.AuditEntry.countDocuments({ action: 'report.export' });
    const response = await fetch(`${base}${exportPath}?format=xlsx`, { headers: { authorization: `Bearer ${tokens.analyst}` } });
    expect(response.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await response.arrayBuffer()) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).values).toEqual([undefined, '服务对象 / Audience', '发文机关 / Issuer', '资源数 / Resources']);
    const csv = await (await fetch(`${base}${exportPath}?format=csv`, { headers: { authorization: `Bearer ${tokens.analyst}` } })).text();
    const csvRows = (parse(csv.slice(1)) as string[][]).slice(1);
    expect(sheet.rowCount - 1).toBe(csvRows.length);
    for (let i = 0; i < csvRows.length; i += 1) {
      const row = sheet.getRow(i + 2);
      expect(typeof row.getCell(3).value).toBe('number');
      expect([row.getCell(1).value, row.getCell(2).value, String(row.getCell(3).value)]).toEqual(csvRows[i]);
    }
    expect(await models.AuditEntry.countDocuments({ action: 'report.export' })).toBe(before + 2);
  });

  it('export refuses bad tokens, other scopes, bad formats and unknown ids', async () => {
    expect((await fetch(`${base}${exportPath}?format=csv`)).status).toBe(401);
    expect((await fetch(`${base}${exportPath}?format=csv`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    expect((await fetch(`${base}${exportPath}?format=csv`, { headers: { authorization: `Bearer ${tokens.member}` } })).status).toBe(403);
    expect((await fetch(`${base}${exportPath}?format=csv`, { headers: { authorization: `Bearer ${tokens.district}` } })).status).toBe(404);
    const badFormat = await fetch(`${base}${exportPath}?format=pdf`, { headers: { authorization: `Bearer ${tokens.analyst}` } });
    expect(badFormat.status).toBe(400);
    expect(((await badFormat.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect((await fetch(`${base}/api/reports/zzz/export?format=csv`, { headers: { authorization: `Bearer ${tokens.analyst}` } })).status).toBe(400);
  });

  it('deletes within scope (audited)', async () => {
    expect((await gql('mutation($id: ID!) { deleteReport(id: $id) }', { id: reportId }, tokens.district)).errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const deleted = await gql('mutation($id: ID!) { deleteReport(id: $id) }', { id: reportId }, tokens.analyst);
    expect(deleted.data.deleteReport).toBe(true);
    expect(await models.AuditEntry.countDocuments({ action: 'report.delete' })).toBe(1);
    expect((await gql('{ savedReports { id } }', {}, tokens.analyst)).data.savedReports).toHaveLength(0);
  });
});
