import ExcelJS from 'exceljs';
import type { Types } from 'mongoose';
import type { Models } from '../../db/index.js';
import type { AuditTrail } from '../audit/index.js';
import type { Viewer } from '../visibility/index.js';
import { findSavedReport, runReportInput } from './saved.js';
import type { Cell, ReportTable } from './table.js';

export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const BOM = '\uFEFF';
/** Characters that make a spreadsheet read a cell as a formula (or split it), at the cell's start. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** Text cells starting a formula get a leading apostrophe (OWASP CSV injection advice); numbers stay numbers. */
export function neutralise(value: Cell): Cell {
  return typeof value === 'string' && FORMULA_START.test(value) ? `'${value}` : value;
}

function csvField(value: Cell): string {
  if (value === null) return '';
  const text = String(neutralise(value));
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function tableRows(table: ReportTable): Cell[][] {
  return [table.columns.map((column) => column.label), ...table.rows.map((row) => row.cells)];
}

/** UTF-8 with a BOM, so Excel in Chinese locales shows no mojibake; CRLF line ends (RFC 4180). */
export function toCsv(table: ReportTable): Buffer {
  const lines = tableRows(table).map((cells) => cells.map(csvField).join(','));
  return Buffer.from(BOM + lines.join('\r\n') + '\r\n', 'utf8');
}

/** One sheet: a bold, frozen header row; numeric columns stored as numbers with a number format. */
export async function toXlsx(table: ReportTable, sheetName = 'Report'): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(sheetName.slice(0, 31) || 'Report', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = table.columns.map((column) => ({
    header: column.label,
    key: column.key,
    width: Math.max(12, Math.min(40, column.label.length + 4)),
    style: column.type === 'INTEGER' ? { numFmt: '0' } : column.type === 'FLOAT' ? { numFmt: '0.00##' } : {},
  }));
  sheet.getRow(1).font = { bold: true };
  for (const row of table.rows) sheet.addRow(row.cells.map(neutralise));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export interface ReportExport {
  filename: string;
  contentType: string;
  body: Buffer;
}

/** Runs a saved report as the viewer (their visibility, not the saver's) and records the export. */
export async function exportReport(models: Models, viewer: Viewer, audit: AuditTrail, id: Types.ObjectId, format: ExportFormat): Promise<ReportExport> {
  const report = await findSavedReport(models, viewer, id);
  const table = await runReportInput(models, viewer, report.input);
  const body = format === 'csv' ? toCsv(table) : await toXlsx(table, report.name);
  await audit.record({
    action: 'report.export',
    outcome: 'SUCCESS',
    target: { type: 'Report', id: report._id.toHexString(), orgPaths: report.orgPaths },
    after: { format, rows: table.rows.length },
    detail: `${format} ${table.rows.length} rows`,
  });
  return {
    filename: `report-${report._id.toHexString()}.${format}`,
    contentType: format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    body,
  };
}
