import type { ReportDefinitionDoc } from '../../db/models/report.js';
import {
  deleteReport,
  findSavedReport,
  isPlatformAdmin,
  listSavedReports,
  listSnapshots,
  runReportInput,
  saveReport,
  takeSnapshot,
  type ReportTable,
} from '../../domain/reports/index.js';
import { auditTrailOf, idOfType } from '../access-context.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { toGlobalId } from '../global-id.js';
import type { ResolverModule } from './module.js';

export const SAVED_REPORT_TYPE = 'SavedReport';

/** Where a saved report is exported (src/http/report-export.ts). */
export function exportPathOf(report: Pick<ReportDefinitionDoc, '_id'>): string {
  return `/api/reports/${toGlobalId(SAVED_REPORT_TYPE, report._id)}/export`;
}

const resolvers: Resolvers = {
  Query: {
    report: (_parent, { input }, { models, viewer }) => runReportInput(models, viewer, input),
    savedReports: (_parent, _args, { models, viewer }) => listSavedReports(models, viewer),
    reportSnapshots: (_parent, { reportId, limit }, { models, viewer }) =>
      listSnapshots(models, viewer, idOfType(reportId, SAVED_REPORT_TYPE, 'reportId'), Math.min(Math.max(limit ?? 50, 1), 500)),
  },
  Mutation: {
    saveReport: (_parent, { name, input, schedule }, context) =>
      saveReport(context.models, context.viewer, auditTrailOf(context), { name, input, schedule: schedule ?? null }),
    deleteReport: (_parent, { id }, context) => deleteReport(context.models, context.viewer, auditTrailOf(context), idOfType(id, SAVED_REPORT_TYPE, 'id')),
    snapshotReport: async (_parent, { id }, context) => {
      const report = await findSavedReport(context.models, context.viewer, idOfType(id, SAVED_REPORT_TYPE, 'id'));
      const snapshot = await takeSnapshot(context.models, report, null);
      await auditTrailOf(context).record({ action: 'report.snapshot', outcome: 'SUCCESS', target: { type: 'Report', id: report._id.toHexString(), orgPaths: report.orgPaths } });
      return snapshot;
    },
  },
  ReportTable: {
    // The pipeline shows how the figures were computed; only platform admins see it.
    pipeline: (table, _args, { viewer }) => (isPlatformAdmin(viewer) ? table.pipeline : null),
    collection: (table, _args, { viewer }) => (isPlatformAdmin(viewer) ? table.collection : null),
  },
  SavedReport: {
    id: (report) => toGlobalId(SAVED_REPORT_TYPE, report._id),
    owner: (report) => report.ownerName,
    exportPath: (report) => exportPathOf(report),
  },
  ReportSnapshot: {
    id: (snapshot) => toGlobalId('ReportSnapshot', snapshot._id),
    table: (snapshot) => snapshot.table as unknown as ReportTable,
  },
};

export const reportsModule: ResolverModule = {
  resolvers,
  nodeTypes: {
    [SAVED_REPORT_TYPE]: async (id, { models, viewer }) => {
      try {
        return await findSavedReport(models, viewer, id);
      } catch {
        return null;
      }
    },
  },
};
