import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { mongo, type Types } from 'mongoose';
import type { SafeFetch, SafeResponse } from '../../connectors/contract.js';
import type { FeedFileDoc } from '../db/models/feed-file.js';
import type { IngestModels } from '../db/models/ingest.js';
import { configError, IngestError } from './fetch/index.js';

/**
 * Uploaded source files (CSV/XLSX): kept in GridFS, one version per upload, and read by the
 * feed's csv/xlsx connector through a fetch that serves the stored bytes. A feed reads its
 * uploads when its config URL is UPLOAD_LATEST_URL (or `…/v<N>` to pin a version): an https
 * URL, as connectors require, on the reserved `.invalid` domain that never resolves.
 */

export const UPLOAD_URL_PREFIX = 'https://uploads.gongxiang.invalid/';
export const UPLOAD_LATEST_URL = `${UPLOAD_URL_PREFIX}latest`;
export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;
export const UPLOAD_CONTENT_TYPES: Record<string, string> = {
  '.csv': 'text/csv',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

type UploadModels = Pick<IngestModels, 'FeedFile'>;

function bucketFor(models: UploadModels): mongo.GridFSBucket {
  const db = models.FeedFile.db.db;
  if (!db) throw new Error('store not connected');
  return new mongo.GridFSBucket(db, { bucketName: 'feedFiles' });
}

export function uploadContentType(filename: string): string | undefined {
  const extension = filename.toLowerCase().match(/\.[a-z0-9]+$/)?.[0] ?? '';
  return UPLOAD_CONTENT_TYPES[extension];
}

export class UploadError extends Error {
  override readonly name = 'UploadError';
}

/** Streams an upload into GridFS (hashing and size-capping on the way) and records its version. */
export async function storeFeedFile(
  models: UploadModels,
  feedId: Types.ObjectId,
  file: { filename: string; stream: Readable; uploadedBy: string | null },
): Promise<FeedFileDoc> {
  const contentType = uploadContentType(file.filename);
  if (!contentType) throw new UploadError('仅支持 CSV 或 XLSX 文件 / Only .csv and .xlsx files are accepted');
  const bucket = bucketFor(models);
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size > MAX_UPLOAD_BYTES) {
        callback(new UploadError(`文件超过 ${MAX_UPLOAD_BYTES / 1024 / 1024} MB / File larger than ${MAX_UPLOAD_BYTES} bytes`));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });
  const upload = bucket.openUploadStream(file.filename, { metadata: { feed: feedId, contentType } });
  try {
    await pipeline(file.stream, meter, upload);
  } catch (error) {
    await bucket.delete(upload.id).catch(() => undefined);
    throw error;
  }
  for (let attempt = 0; ; attempt++) {
    const last = await models.FeedFile.findOne({ feed: feedId }, { version: 1 }).sort({ version: -1 }).lean();
    try {
      const created = await models.FeedFile.create({
        feed: feedId,
        version: (last?.version ?? 0) + 1,
        filename: file.filename,
        contentType,
        size,
        sha256: hash.digest('hex'),
        gridFsId: upload.id,
        uploadedAt: new Date(),
        uploadedBy: file.uploadedBy,
      });
      return created.toObject();
    } catch (error) {
      if ((error as { code?: unknown }).code !== 11000 || attempt >= 5) throw error;
    }
  }
}

export function isUploadUrl(url: unknown): boolean {
  return typeof url === 'string' && url.startsWith(UPLOAD_URL_PREFIX);
}

async function fileFor(models: UploadModels, feedId: Types.ObjectId, url: string): Promise<FeedFileDoc> {
  const pinned = /^https:\/\/uploads\.gongxiang\.invalid\/v(\d+)$/.exec(url);
  if (!pinned && url !== UPLOAD_LATEST_URL) {
    throw configError('URL_NOT_ALLOWED', `无效的上传地址 ${url}`, `Invalid upload URL ${url} (use ${UPLOAD_LATEST_URL} or ${UPLOAD_URL_PREFIX}v<N>)`);
  }
  const file = pinned
    ? await models.FeedFile.findOne({ feed: feedId, version: Number(pinned[1]) }).lean()
    : await models.FeedFile.findOne({ feed: feedId }).sort({ version: -1 }).lean();
  if (!file) throw configError('INVALID_CONFIG', '尚未上传文件', 'No file has been uploaded to this feed');
  return file;
}

/** A SafeFetch that serves this feed's uploaded files; any other URL is refused. */
export function uploadedFileFetch(models: UploadModels, feedId: Types.ObjectId): SafeFetch {
  return async (url): Promise<SafeResponse> => {
    if (!isUploadUrl(url)) {
      throw new IngestError('config', 'URL_NOT_ALLOWED', '上传型数据源只能读取上传文件', 'An upload feed reads only its uploaded files');
    }
    const file = await fileFor(models, feedId, url);
    const bucket = bucketFor(models);
    const open = (): AsyncIterable<Uint8Array> => bucket.openDownloadStream(file.gridFsId);
    return {
      status: 200,
      url,
      headers: new Headers({ 'content-type': file.contentType, 'content-length': String(file.size) }),
      async bytes() {
        const chunks: Buffer[] = [];
        for await (const chunk of open()) chunks.push(Buffer.from(chunk));
        return new Uint8Array(Buffer.concat(chunks));
      },
      stream: open,
    };
  };
}

export async function listFeedFiles(models: UploadModels, feedId: Types.ObjectId): Promise<FeedFileDoc[]> {
  return models.FeedFile.find({ feed: feedId }).sort({ version: -1 }).lean();
}
