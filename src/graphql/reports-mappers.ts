/** Parent values of the reports API's types (codegen `mappers`). */
export type { ReportDefinitionDoc, ReportSnapshotDoc } from '../db/models/report.js';
export type { ReportTable as ReportTableModel } from '../domain/reports/index.js';
