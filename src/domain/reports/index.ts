export { BUILT_IN_REPORTS, builtInSpec, runBuiltInReport, type BuiltInOptions, type BuiltInReport } from './builtins.js';
export { compileReport, type CompiledReport } from './compile.js';
export { EXPORT_FORMATS, exportReport, neutralise, toCsv, toXlsx, type ExportFormat, type ReportExport } from './export.js';
export { parseReportSpec, runReport } from './run.js';
export { createReportScheduler, REPORT_TIMEZONE, type ReportScheduler } from './scheduler.js';
export { isPlatformAdmin, reportScope, type ReportScope } from './scope.js';
export {
  deleteReport,
  findSavedReport,
  listSavedReports,
  listSnapshots,
  reportInputSchema,
  runReportInput,
  saveReport,
  takeSnapshot,
  type ReportInput,
  type SaveReportArgs,
} from './saved.js';
export { DIMENSION_KINDS, MEASURES, TIME_UNITS, TIME_FIELDS, type Dimension, type Measure, type ReportSpec, type ReportSpecInput, type TimeUnit } from './spec.js';
export { bucketLabel, bucketStart } from './time.js';
export type { Cell, ColumnType, ReportColumn, ReportRow, ReportTable } from './table.js';
