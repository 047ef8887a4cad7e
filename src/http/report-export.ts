import { Router, type Request, type Response } from 'express';
import type { Models } from '../db/index.js';
import { AccessError } from '../domain/access/index.js';
import { AuditTrail } from '../domain/audit/index.js';
import { InvalidInputError } from '../domain/errors.js';
import { EXPORT_FORMATS, exportReport, type ExportFormat } from '../domain/reports/index.js';
import type { Viewer } from '../domain/visibility/index.js';
import { fromGlobalId } from '../graphql/global-id.js';

export interface ReportExportDependencies {
  models: Models;
  /** The same bearer authentication as /graphql. */
  viewerOf: (req: Request) => Promise<Viewer> | Viewer;
}

const STATUS_OF: Record<AccessError['code'], number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409 };

function fail(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ errors: [{ message, extensions: { code, requestId: res.locals.requestId } }] });
}

function parseFormat(value: unknown): ExportFormat {
  if (typeof value === 'string' && (EXPORT_FORMATS as readonly string[]).includes(value)) return value as ExportFormat;
  throw new InvalidInputError('无效的导出格式：format（csv 或 xlsx）', 'Invalid export format: format (csv or xlsx)', 'format');
}

/**
 * GET /api/reports/:id/export?format=csv|xlsx: runs a saved report as the caller (their
 * visibility) and sends it as a download. Every export is written to the audit log.
 */
export function reportExportRouter(deps: ReportExportDependencies): Router {
  const router = Router();
  router.get('/api/reports/:id/export', async (req, res, next) => {
    try {
      const format = parseFormat(req.query.format);
      const { type, id } = fromGlobalId(String(req.params.id), 'id');
      if (type !== 'SavedReport') throw new AccessError('NOT_FOUND', '报表不存在', 'Report not found');
      const viewer = await deps.viewerOf(req);
      const audit = new AuditTrail(deps.models.AuditEntry, viewer, String(res.locals.requestId), req.ip ?? null);
      const file = await exportReport(deps.models, viewer, audit, id, format);
      res.set('content-type', file.contentType);
      res.set('content-disposition', `attachment; filename="${file.filename}"`);
      res.set('cache-control', 'no-store');
      res.send(file.body);
    } catch (error) {
      if (error instanceof AccessError) return fail(res, STATUS_OF[error.code], error.code, error.message);
      if (error instanceof InvalidInputError) return fail(res, 400, 'BAD_USER_INPUT', error.message);
      next(error);
    }
  });
  return router;
}
