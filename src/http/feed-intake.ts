import type { Readable } from 'node:stream';
import busboy from 'busboy';
import express, { Router, type Request, type Response } from 'express';
import { Types } from 'mongoose';
import type { SyncRunDoc } from '../db/models/sync-run.js';
import {
  acceptWebhook,
  isUploadUrl,
  openConfig,
  runFeed,
  SIGNATURE_HEADER,
  storeFeedFile,
  TIMESTAMP_HEADER,
  UploadError,
  WebhookError,
  type IngestRuntime,
  type IngestSettings,
  type RunOutcome,
  type WebhookRejection,
} from '../ingest/index.js';
import type { FeedFileDoc } from '../db/models/feed-file.js';
import { FeedError, feedScope, mayAdminister } from '../domain/feeds/index.js';
import type { Viewer } from '../domain/visibility/index.js';

/**
 * Pushed data: POST /api/feeds/:id/webhook (HMAC-signed records) and
 * POST /api/feeds/:id/upload (a CSV/XLSX file, multipart field `file`).
 *
 * Uploads are served only when HUB_UPLOADS_ENABLED allows (off by default in production),
 * and, when the app authenticates users (`viewerOf`), only to an admin of the feed's
 * department (Bearer token, as for GraphQL).
 */

export const WEBHOOK_BODY_LIMIT = '10mb';

const WEBHOOK_STATUS: Record<WebhookRejection, number> = {
  NOT_FOUND: 404,
  MISSING_SIGNATURE: 401,
  STALE_TIMESTAMP: 401,
  BAD_SIGNATURE: 401,
  REPLAYED: 409,
  BAD_BODY: 400,
  BUSY: 503,
};

function runSummary(run: SyncRunDoc): Record<string, unknown> {
  return { runId: run._id.toHexString(), status: run.status, stats: run.stats, error: run.error };
}

function sendOutcome(res: Response, outcome: RunOutcome, extra: Record<string, unknown> = {}): void {
  if (!outcome.started) {
    res.status(503).json({ error: { code: outcome.reason, message: '数据源正忙 / The feed is busy' }, ...extra });
    return;
  }
  res.json({ run: runSummary(outcome.run), ...extra });
}

function fail(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

export interface FeedIntakeOptions extends Pick<IngestSettings, 'uploadsEnabled'> {
  /** Who is asking; throws for a bad token. Omitted: the uploads flag alone guards uploads. */
  viewerOf?: (req: Request) => Promise<Viewer>;
}

type UploadPermission = { ok: true; uploadedBy: string | null } | { ok: false; status: number; code: string; message: string };

/** May the caller upload to a feed of this department? Outside their scope the feed is "not found". */
async function authorizeUpload(options: FeedIntakeOptions, req: Request, department: string): Promise<UploadPermission> {
  if (!options.viewerOf) return { ok: true, uploadedBy: null };
  let viewer: Viewer;
  try {
    viewer = await options.viewerOf(req);
  } catch {
    return { ok: false, status: 401, code: 'UNAUTHENTICATED', message: '身份令牌无效 / Invalid bearer token' };
  }
  try {
    if (mayAdminister(feedScope(viewer), department) && viewer.kind === 'user') return { ok: true, uploadedBy: viewer.username };
  } catch (error) {
    if (error instanceof FeedError && error.code === 'UNAUTHENTICATED') return { ok: false, status: 401, code: error.code, message: error.message };
  }
  return { ok: false, status: 404, code: 'NOT_FOUND', message: '数据源不存在 / Feed not found' };
}

export function feedIntakeRouter(runtime: IngestRuntime, options: FeedIntakeOptions): Router {
  const router = Router();

  router.post('/api/feeds/:id/webhook', express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }), async (req: Request, res: Response) => {
    try {
      const outcome = await acceptWebhook(runtime, {
        feedId: String(req.params.id),
        timestamp: req.get(TIMESTAMP_HEADER),
        signature: req.get(SIGNATURE_HEADER),
        body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      });
      sendOutcome(res, outcome);
    } catch (error) {
      if (!(error instanceof WebhookError)) throw error;
      fail(res, WEBHOOK_STATUS[error.rejection], error.rejection, error.message);
    }
  });

  router.post('/api/feeds/:id/upload', async (req: Request, res: Response) => {
    if (!options.uploadsEnabled) {
      fail(res, 404, 'UPLOADS_DISABLED', '文件上传未启用 / Uploads are disabled (HUB_UPLOADS_ENABLED)');
      return;
    }
    const id = String(req.params.id);
    const feed = Types.ObjectId.isValid(id) ? await runtime.models.Feed.findOne({ _id: id, status: { $ne: 'DELETED' } }).lean() : null;
    if (!feed) {
      fail(res, 404, 'NOT_FOUND', '数据源不存在 / Feed not found');
      return;
    }
    const permission = await authorizeUpload(options, req, feed.department);
    if (!permission.ok) {
      fail(res, permission.status, permission.code, permission.message);
      return;
    }
    if (!isUploadUrl(openConfig(feed.config).url)) {
      fail(res, 400, 'NOT_AN_UPLOAD_FEED', '该数据源不读取上传文件 / This feed does not read uploaded files');
      return;
    }
    let stored: FeedFileDoc;
    try {
      stored = await receiveFile(req, (file) => storeFeedFile(runtime.models, feed._id, { ...file, uploadedBy: permission.uploadedBy }));
    } catch (error) {
      if (error instanceof UploadError) {
        fail(res, 400, 'BAD_UPLOAD', error.message);
        return;
      }
      throw error;
    }
    const fileInfo = { file: { version: stored.version, filename: stored.filename, size: stored.size, sha256: stored.sha256 } };
    if (req.query.sync === 'false') {
      res.status(201).json(fileInfo);
      return;
    }
    sendOutcome(res, await runFeed(runtime, feed._id, { trigger: 'UPLOAD' }), fileInfo);
  });

  return router;
}

/** Streams the multipart field `file` (exactly one) into `store`. */
function receiveFile<T>(req: Request, store: (file: { filename: string; stream: Readable }) => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fields: 10 } });
    } catch {
      reject(new UploadError('需要 multipart/form-data 请求 / Expected a multipart/form-data request'));
      return;
    }
    let pending: Promise<T> | undefined;
    parser.on('file', (field, stream, info) => {
      if (field !== 'file' || pending) {
        stream.resume();
        return;
      }
      pending = store({ filename: info.filename ?? 'upload', stream });
      pending.catch(() => stream.resume());
    });
    parser.on('error', (error) => reject(new UploadError(`上传解析失败 / Malformed upload: ${(error as Error).message}`)));
    parser.on('close', () => {
      if (!pending) reject(new UploadError('缺少文件字段 file / Missing multipart field "file"'));
      else pending.then(resolve, reject);
    });
    req.pipe(parser);
  });
}
