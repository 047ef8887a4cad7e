import { Types } from 'mongoose';
import type { Models } from '../../db/index.js';
import type { ResourceFilterInput } from '../catalog/index.js';
import type { Viewer } from '../visibility/index.js';
import { compileReport } from './compile.js';
import { executeReport, parseReportSpec } from './run.js';
import { reportScope, type ReportScope } from './scope.js';
import type { ReportSpecInput } from './spec.js';
import { NONE_LABEL, type KnownLabels, type ReportRow, type ReportTable } from './table.js';

export const BUILT_IN_REPORTS = ['COVERAGE_MATRIX', 'FEED_HEALTH', 'POLICY_LANDSCAPE', 'POLICIES_EXPIRING', 'REVIEW_BACKLOG'] as const;
export type BuiltInReport = (typeof BUILT_IN_REPORTS)[number];

export interface BuiltInOptions {
  /** COVERAGE_MATRIX, REVIEW_BACKLOG: the org level rolled up to (default 3, townships). */
  level?: number | null;
  /** COVERAGE_MATRIX: departments (default) or service categories across. */
  across?: 'DEPARTMENT' | 'CATEGORY' | null;
  filter?: ResourceFilterInput | null;
  asOf?: Date | null;
  expiringWithinDays?: number | null;
}

/** The definition behind each built-in report; it runs like any other report. */
export function builtInSpec(name: BuiltInReport, options: BuiltInOptions = {}): ReportSpecInput {
  const level = options.level ?? 3;
  const base = { filter: options.filter ?? null, asOf: options.asOf ?? null, expiringWithinDays: options.expiringWithinDays ?? null };
  switch (name) {
    case 'COVERAGE_MATRIX':
      return {
        ...base,
        filter: { kinds: ['SERVICE'], ...options.filter },
        measures: ['RESOURCE_COUNT'],
        dimensions: [{ by: 'ORG_UNIT', level }, { by: options.across ?? 'DEPARTMENT' }],
      };
    case 'FEED_HEALTH':
      return { ...base, measures: ['FEED_COUNT', 'FEED_LAG_HOURS', 'FAILURE_STREAK', 'SYNC_SUCCESS_RATE', 'QUARANTINE_RATE'], dimensions: [{ by: 'DEPARTMENT' }] };
    case 'POLICY_LANDSCAPE':
      return { ...base, filter: { kinds: ['POLICY'], ...options.filter }, measures: ['POLICIES_IN_FORCE', 'POLICIES_EXPIRING'], dimensions: [{ by: 'ISSUER' }, { by: 'THEME' }] };
    case 'POLICIES_EXPIRING':
      return { ...base, filter: { kinds: ['POLICY'], ...options.filter }, measures: ['POLICIES_EXPIRING'], dimensions: [{ by: 'DEPARTMENT' }, { by: 'THEME' }] };
    case 'REVIEW_BACKLOG':
      return { ...base, measures: ['STAGE_ENTRIES', 'BACKLOG', 'STAGE_HOURS_AVG', 'STAGE_HOURS_MAX'], dimensions: [{ by: 'REVIEW_STAGE' }, { by: 'ORG_UNIT', level }] };
  }
}

/**
 * Units at `level` the viewer's reports reach (the rows a coverage matrix must show). Unordered:
 * the matrix's rows are sorted by their keys once the gaps are in.
 */
async function unitsInScope(models: Models, scope: ReportScope, level: number): Promise<{ _id: Types.ObjectId; name: string }[]> {
  const ids = scope.all ? [] : scope.units.map((unit) => unit.id);
  const filter = scope.all ? { level } : { level, $or: [{ _id: { $in: ids } }, { ancestors: { $in: ids } }] };
  return models.OrgUnit.find(filter, { name: 1 }).lean();
}

/** What a coverage matrix's gap rows are made of: the units at the level, and the departments when they are the columns. */
interface GapAxes {
  units: { _id: Types.ObjectId; name: string }[];
  departments?: { key: string; label: string }[];
}

/** Read while the report's pipeline runs: they do not depend on its result. */
async function gapAxes(models: Models, viewer: Viewer, level: number, across: 'DEPARTMENT' | 'CATEGORY'): Promise<GapAxes> {
  const [units, departments] = await Promise.all([
    unitsInScope(models, reportScope(viewer), level),
    across === 'DEPARTMENT' ? models.Department.find({}, { code: 1, name: 1 }).lean() : undefined,
  ]);
  return { units, departments: departments?.map((dept) => ({ key: dept.code, label: dept.name.zh })) };
}

/**
 * Adds the empty cells of a coverage matrix as gap rows: every unit at the level (within the
 * viewer's scope) × every department (or every category seen in the report), with no data.
 */
function withGaps(table: ReportTable, { units, departments }: GapAxes): ReportTable {
  const columns =
    departments ?? [...new Set(table.rows.map((row) => row.keys[1]).filter((key): key is string => key !== null))].map((key) => ({ key, label: key }));
  const present = new Set(table.rows.map((row) => `${row.keys[0]}|${row.keys[1]}`));
  const gaps: ReportRow[] = [];
  for (const unit of units) {
    for (const column of columns) {
      const unitKey = unit._id.toHexString();
      if (present.has(`${unitKey}|${column.key}`)) continue;
      gaps.push({ keys: [unitKey, column.key], cells: [unit.name, column.label || NONE_LABEL, 0], gap: true });
    }
  }
  const rows = [...table.rows, ...gaps].sort((a, b) => `${a.keys[0]}|${a.keys[1]}`.localeCompare(`${b.keys[0]}|${b.keys[1]}`));
  return { ...table, rows };
}

export async function runBuiltInReport(models: Models, viewer: Viewer, name: BuiltInReport, options: BuiltInOptions = {}, now?: Date): Promise<ReportTable> {
  const spec = parseReportSpec(builtInSpec(name, options));
  const compiled = await compileReport(models, viewer, spec, now);
  if (name !== 'COVERAGE_MATRIX') return executeReport(models, compiled);
  const axes = gapAxes(models, viewer, options.level ?? 3, options.across ?? 'DEPARTMENT');
  // The axes name the matrix's units and departments: no second lookup for the rows' labels.
  const known = axes.then(({ units, departments }): KnownLabels => [
    new Map(units.map((unit) => [unit._id.toHexString(), unit.name])),
    departments ? new Map(departments.map((dept) => [dept.key, dept.label])) : undefined,
  ]);
  // A failed read reaches the caller through Promise.all (axes) or executeReport (known); this
  // keeps `known` from being reported unhandled when the pipeline fails first.
  known.catch(() => undefined);
  const [table, read] = await Promise.all([executeReport(models, compiled, known), axes]);
  return withGaps(table, read);
}
