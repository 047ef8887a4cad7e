import type { Document } from 'bson';
import type { Models } from '../../db/index.js';
import { InvalidInputError } from '../errors.js';
import type { Viewer } from '../visibility/index.js';
import { compileReport, type CompiledReport } from './compile.js';
import { reportSpecSchema, type ReportSpec, type ReportSpecInput } from './spec.js';
import { columnsOf, labelResolver, rawKey, sortRows, type Cell, type KnownLabels, type ReportRow, type ReportTable } from './table.js';

interface FacetResult {
  rows: ({ keys: Record<string, unknown> | null } & Record<string, unknown>)[];
  totals: Record<string, unknown>[];
}

export function parseReportSpec(input: ReportSpecInput): ReportSpec {
  const parsed = reportSpecSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = ['input', ...(issue?.path ?? [])].join('.');
    throw new InvalidInputError(`无效的报表定义：${path}`, `Invalid report: ${path} (${issue?.message ?? ''})`, path);
  }
  return parsed.data;
}

function cellOf(value: unknown): Cell {
  return typeof value === 'number' || typeof value === 'string' ? value : value === null || value === undefined ? null : Number(value);
}

/**
 * Runs the compiled pipeline (the only grouping there is) and names the grouped keys; `known`:
 * names the caller reads anyway (a coverage matrix's units and departments), resolved meanwhile.
 */
export async function executeReport(models: Models, compiled: CompiledReport, known?: Promise<KnownLabels>): Promise<ReportTable> {
  const [result] = (await models.Resource.db.collection(compiled.collection).aggregate(compiled.pipeline, { allowDiskUse: true }).toArray()) as unknown as FacetResult[];
  const dimensionCount = compiled.dimensions.length;
  const keys = (result?.rows ?? []).map((row) => compiled.dimensions.map((_, index) => rawKey(row.keys?.[`d${index}`])));
  const label = await labelResolver(models, compiled.dimensions, keys, await known);
  const rows: ReportRow[] = (result?.rows ?? []).map((row, rowIndex) => {
    const rowKeys = keys[rowIndex]!;
    return {
      keys: rowKeys,
      cells: [...rowKeys.map((key, index) => label(index, key)), ...compiled.measures.map((measure) => cellOf(row[measure]))],
      gap: false,
    };
  });
  const totalsDoc = result?.totals[0] ?? {};
  return {
    columns: columnsOf(compiled),
    rows: sortRows(rows, dimensionCount),
    totals: compiled.measures.map((measure) => cellOf(totalsDoc[measure]) ?? (measure.endsWith('_COUNT') ? 0 : null)),
    collection: compiled.collection,
    pipeline: compiled.pipeline as Document[],
  };
}

export async function runReport(models: Models, viewer: Viewer, input: ReportSpecInput, now?: Date): Promise<ReportTable> {
  const spec = parseReportSpec(input);
  return executeReport(models, await compileReport(models, viewer, spec, now));
}
