import cron from 'node-cron';
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Models } from '../../db/index.js';
import { reportModels, type ReportDefinitionDoc, type ReportModels, type ReportSnapshotDoc } from '../../db/models/report.js';
import { notFound } from '../access/index.js';
import type { AuditTrail } from '../audit/index.js';
import { resourceFilterSchema } from '../catalog/index.js';
import { InvalidInputError } from '../errors.js';
import type { RoleGrant, UserViewer, Viewer } from '../visibility/index.js';
import { BUILT_IN_REPORTS, runBuiltInReport } from './builtins.js';
import { parseReportSpec, runReport } from './run.js';
import { reportScope } from './scope.js';
import type { ReportSpecInput } from './spec.js';
import type { ReportTable } from './table.js';

/** What the API takes: a built-in report with its options, or measures × dimensions × filter. */
export const reportInputSchema = z.object({
  builtIn: z.enum(BUILT_IN_REPORTS).nullish(),
  level: z.number().int().min(1).max(4).nullish(),
  across: z.enum(['DEPARTMENT', 'CATEGORY']).nullish(),
  measures: z.array(z.string()).nullish(),
  dimensions: z.array(z.record(z.string(), z.unknown())).nullish(),
  filter: resourceFilterSchema.nullish(),
  asOf: z.coerce.date().nullish(),
  expiringWithinDays: z.number().int().nullish(),
});
export type ReportInput = z.input<typeof reportInputSchema>;

function invalid(field: string, zh: string, en: string): InvalidInputError {
  return new InvalidInputError(zh, en, field);
}

function customSpec(input: z.output<typeof reportInputSchema>): ReportSpecInput {
  if (!input.measures?.length) throw invalid('input.measures', '需要度量或内置报表', 'Give measures or a built-in report');
  return {
    measures: input.measures,
    dimensions: input.dimensions ?? [],
    filter: input.filter,
    asOf: input.asOf,
    expiringWithinDays: input.expiringWithinDays,
  } as ReportSpecInput;
}

function parseInput(input: unknown): z.output<typeof reportInputSchema> {
  const parsed = reportInputSchema.safeParse(input);
  if (!parsed.success) {
    const path = ['input', ...(parsed.error.issues[0]?.path ?? [])].join('.');
    throw invalid(path, `无效的报表定义：${path}`, `Invalid report: ${path}`);
  }
  return parsed.data;
}

/** Runs a report input (built-in or custom) as the viewer. */
export async function runReportInput(models: Models, viewer: Viewer, raw: unknown, now?: Date): Promise<ReportTable> {
  const input = parseInput(raw);
  if (input.builtIn) return runBuiltInReport(models, viewer, input.builtIn, input, now);
  return runReport(models, viewer, customSpec(input), now);
}

function modelsOf(models: Models): ReportModels {
  return reportModels(models.Resource.db);
}

/** Saved reports the viewer's scope reaches: all for unscoped viewers, else those saved within their subtrees. */
function savedScopeFilter(viewer: Viewer): Record<string, unknown> {
  const scope = reportScope(viewer);
  return scope.all ? {} : { scopeAll: false, orgPaths: { $in: scope.units.map((unit) => unit.id) } };
}

function storedGrants(grants: RoleGrant[]): ReportDefinitionDoc['ownerGrants'] {
  return grants.map((grant) => ({
    role: grant.role,
    orgUnit: grant.orgUnit ? { id: grant.orgUnit.id, ancestors: [...grant.orgUnit.ancestors] } : null,
    department: grant.department,
    stages: [...grant.stages],
  }));
}

export interface SaveReportArgs {
  name: string;
  input: unknown;
  schedule?: string | null;
}

export async function saveReport(models: Models, viewer: Viewer, audit: AuditTrail, args: SaveReportArgs): Promise<ReportDefinitionDoc> {
  const scope = reportScope(viewer);
  const user = viewer as UserViewer;
  const input = parseInput(args.input);
  if (!input.builtIn) parseReportSpec(customSpec(input));
  const name = args.name.trim();
  if (name.length === 0 || name.length > 200) throw invalid('name', '报表名称须为 1–200 个字符', 'Report name must be 1–200 characters');
  if (args.schedule && !cron.validate(args.schedule)) throw invalid('schedule', '无效的 cron 表达式', 'Invalid cron expression');
  const orgPaths = scope.all ? [] : scope.units.flatMap((unit) => [...unit.ancestors, unit.id]);
  const doc = await modelsOf(models).ReportDefinition.create({
    name,
    // Kept as parsed (dates stay BSON dates, so the filter re-validates when the report runs again).
    input: input as Record<string, unknown>,
    schedule: args.schedule || null,
    ownerId: user.userId,
    ownerName: user.username,
    ownerGrants: storedGrants(user.grants),
    orgPaths,
    scopeAll: scope.all,
  });
  await audit.record({ action: 'report.save', outcome: 'SUCCESS', target: { type: 'Report', id: doc._id.toHexString(), orgPaths }, after: doc.toObject() });
  return doc.toObject();
}

export async function listSavedReports(models: Models, viewer: Viewer): Promise<ReportDefinitionDoc[]> {
  return modelsOf(models).ReportDefinition.find(savedScopeFilter(viewer)).sort({ createdAt: -1, _id: -1 }).lean();
}

/** A saved report within the viewer's scope; NOT_FOUND otherwise. */
export async function findSavedReport(models: Models, viewer: Viewer, id: Types.ObjectId): Promise<ReportDefinitionDoc> {
  const report = await modelsOf(models).ReportDefinition.findOne({ _id: id, ...savedScopeFilter(viewer) }).lean();
  if (!report) throw notFound('报表', 'Report');
  return report;
}

export async function deleteReport(models: Models, viewer: Viewer, audit: AuditTrail, id: Types.ObjectId): Promise<boolean> {
  const report = await findSavedReport(models, viewer, id);
  const { ReportDefinition, ReportSnapshot } = modelsOf(models);
  await ReportDefinition.deleteOne({ _id: report._id });
  await ReportSnapshot.deleteMany({ report: report._id });
  await audit.record({ action: 'report.delete', outcome: 'SUCCESS', target: { type: 'Report', id: report._id.toHexString(), orgPaths: report.orgPaths }, before: report });
  return true;
}

/** The viewer a scheduled snapshot runs as: the saver, with the grants they held when saving. */
export function ownerViewer(report: ReportDefinitionDoc): UserViewer {
  return {
    kind: 'user',
    userId: report.ownerId,
    username: report.ownerName,
    grants: report.ownerGrants.map((grant) => ({ ...grant, role: grant.role as RoleGrant['role'] })),
  };
}

export async function takeSnapshot(models: Models, report: ReportDefinitionDoc, slot: string | null, now = new Date()): Promise<ReportSnapshotDoc> {
  const { pipeline: _pipeline, ...table } = await runReportInput(models, ownerViewer(report), report.input, now);
  const doc = await modelsOf(models).ReportSnapshot.create({ report: report._id, takenAt: now, slot, table: JSON.parse(JSON.stringify(table)) as Record<string, unknown> });
  return doc.toObject();
}

export async function listSnapshots(models: Models, viewer: Viewer, reportId: Types.ObjectId, limit = 100): Promise<ReportSnapshotDoc[]> {
  const report = await findSavedReport(models, viewer, reportId);
  return modelsOf(models).ReportSnapshot.find({ report: report._id }).sort({ takenAt: -1 }).limit(limit).lean();
}
