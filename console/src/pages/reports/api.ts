import { authHeaders, gql } from '../../api/client';
// The tables the server validates reports with (plain data without dependencies, shared as is).
import { DIMENSION_SOURCES, MEASURE_SOURCES, REPORT_SOURCES, TIME_FIELDS, TIME_UNITS, type ReportSource } from '../../../../src/domain/reports/sources';

/** The reports API as the console uses it: types mirroring schema/reports.graphql, and the CSV/XLSX download. */

export { DIMENSION_SOURCES, MEASURE_SOURCES, TIME_FIELDS, TIME_UNITS };
export type Measure = keyof typeof MEASURE_SOURCES;
export type Source = ReportSource;
export const SOURCES: readonly Source[] = REPORT_SOURCES;
export type DimensionKind = keyof typeof DIMENSION_SOURCES;

export const BUILT_INS = ['COVERAGE_MATRIX', 'FEED_HEALTH', 'POLICY_LANDSCAPE', 'POLICIES_EXPIRING', 'REVIEW_BACKLOG'] as const;
export type BuiltIn = (typeof BUILT_INS)[number];

export interface DimensionInput {
  by: DimensionKind;
  level?: number | null;
  unit?: (typeof TIME_UNITS)[number] | null;
  field?: (typeof TIME_FIELDS)[number] | null;
}

export interface ReportInput {
  builtIn?: BuiltIn | null;
  level?: number | null;
  measures?: Measure[] | null;
  dimensions?: DimensionInput[] | null;
  filter?: { departments?: string[]; kinds?: string[] } | null;
}

export type Cell = string | number | null;

export interface ReportTable {
  columns: { key: string; label: string; type: 'STRING' | 'INTEGER' | 'FLOAT'; role: 'DIMENSION' | 'MEASURE' }[];
  rows: { keys: (string | null)[]; cells: Cell[]; gap: boolean }[];
  totals: Cell[];
}

export interface SavedReport {
  id: string;
  name: string;
  input: ReportInput;
  schedule: string | null;
  owner: string;
  createdAt: string;
  exportPath: string;
}

export interface Snapshot {
  id: string;
  takenAt: string;
  table: Pick<ReportTable, 'columns' | 'totals'>;
}

const TABLE = 'columns { key label type role } rows { keys cells gap } totals';
const SAVED = 'id name input schedule owner createdAt exportPath';

export function runReport(input: ReportInput): Promise<ReportTable> {
  return gql<{ report: ReportTable }, { input: ReportInput }>(`query Report($input: ReportInput!) { report(input: $input) { ${TABLE} } }`, { input }).then((data) => data.report);
}

export function listSavedReports(): Promise<SavedReport[]> {
  return gql<{ savedReports: SavedReport[] }>(`query SavedReports { savedReports { ${SAVED} } }`).then((data) => data.savedReports);
}

export function saveReport(name: string, input: ReportInput, schedule: string | null): Promise<SavedReport> {
  return gql<{ saveReport: SavedReport }, { name: string; input: ReportInput; schedule: string | null }>(
    `mutation SaveReport($name: String!, $input: ReportInput!, $schedule: String) { saveReport(name: $name, input: $input, schedule: $schedule) { ${SAVED} } }`,
    { name, input, schedule },
  ).then((data) => data.saveReport);
}

export function deleteReport(id: string): Promise<boolean> {
  return gql<{ deleteReport: boolean }, { id: string }>('mutation DeleteReport($id: ID!) { deleteReport(id: $id) }', { id }).then((data) => data.deleteReport);
}

export function snapshotReport(id: string): Promise<Snapshot> {
  return gql<{ snapshotReport: Snapshot }, { id: string }>(
    'mutation SnapshotReport($id: ID!) { snapshotReport(id: $id) { id takenAt table { columns { key label type role } totals } } }',
    { id },
  ).then((data) => data.snapshotReport);
}

export function listSnapshots(reportId: string): Promise<Snapshot[]> {
  return gql<{ reportSnapshots: Snapshot[] }, { reportId: string }>(
    'query ReportSnapshots($reportId: ID!) { reportSnapshots(reportId: $reportId, limit: 50) { id takenAt table { columns { key label type role } totals } } }',
    { reportId },
  ).then((data) => data.reportSnapshots);
}

/** A saved input as ReportInput again: only the fields the builder knows, nulls dropped. */
export function savedInput(saved: unknown): ReportInput {
  const raw = (typeof saved === 'object' && saved !== null ? saved : {}) as Record<string, unknown>;
  const keys: (keyof ReportInput)[] = ['builtIn', 'level', 'measures', 'dimensions', 'filter'];
  return Object.fromEntries(keys.filter((key) => raw[key] !== null && raw[key] !== undefined).map((key) => [key, raw[key]])) as ReportInput;
}

/** GETs the export with the bearer token and hands the file to the browser as a download. */
export async function downloadExport(report: Pick<SavedReport, 'exportPath'>, format: 'csv' | 'xlsx'): Promise<void> {
  const response = await fetch(`${report.exportPath}?format=${format}`, { headers: authHeaders() });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { errors?: { message: string }[] } | null;
    throw new Error(body?.errors?.[0]?.message ?? `HTTP ${response.status}`);
  }
  const blob = await response.blob();
  const filename = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? `report.${format}`;
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has handed the blob to the download manager; give it a moment before freeing it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
