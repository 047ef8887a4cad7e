import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Types } from 'mongoose';
import { z } from 'zod';
import type { Connector, ReadEvent } from '../../connectors/contract.js';
import type { NormalizedRecordInput } from '../domain/catalog/normalized-record.js';
import { configError } from './fetch/index.js';
import { runFeed, type IngestRuntime, type RunOutcome } from './engine.js';
import { openSecret, sealSecret } from './secrets.js';

/**
 * Webhook push: a department POSTs records to /api/feeds/:id/webhook, signed per feed with
 * HMAC-SHA256 over `<timestamp>.<raw body>`. A request is refused when its timestamp is
 * outside the window or its signature was already accepted (replay).
 */

export const WEBHOOK_CONNECTOR_ID = 'webhook';
export const TIMESTAMP_HEADER = 'x-hub-timestamp';
export const SIGNATURE_HEADER = 'x-hub-signature';
export const SIGNATURE_WINDOW_SECONDS = 300;
export const MAX_RECORDS_PER_PUSH = 5_000;

const webhookConfigSchema = z.object({}).strict();

/** Records arrive already shaped as normalized records; validation happens in the engine like any other. */
export const webhookConnector: Connector<z.infer<typeof webhookConfigSchema>> = {
  id: WEBHOOK_CONNECTOR_ID,
  title: { zh: '推送接口（Webhook）', en: 'Webhook push' },
  configSchema: webhookConfigSchema,
  async check() {
    return { ok: true, message: '推送型数据源，无需连接 / Push feed: nothing to reach' };
  },
  // eslint-disable-next-line require-yield
  async *read() {
    throw configError('INVALID_CONFIG', '推送型数据源不能主动拉取', 'A webhook feed is pushed to, it cannot be pulled');
  },
  map(raw) {
    if (typeof raw.data.kind !== 'string') return { ok: false, reasons: ['kind: 缺少记录类型 / Missing record kind'] };
    return { ok: true, record: { ...raw.data, sourceId: raw.sourceId } as NormalizedRecordInput };
  },
};

export function newWebhookSecret(): { plain: string; sealed: string } {
  const plain = randomBytes(32).toString('hex');
  return { plain, sealed: sealSecret(plain) };
}

export function signWebhook(secret: string, timestamp: string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

export type WebhookRejection =
  | 'NOT_FOUND'
  | 'MISSING_SIGNATURE'
  | 'STALE_TIMESTAMP'
  | 'BAD_SIGNATURE'
  | 'REPLAYED'
  | 'BAD_BODY'
  | 'BUSY';

export class WebhookError extends Error {
  override readonly name = 'WebhookError';
  constructor(
    readonly rejection: WebhookRejection,
    message: string,
  ) {
    super(message);
  }
}

const pushBodySchema = z.object({
  records: z
    .array(z.looseObject({ sourceId: z.string().trim().min(1).max(512) }))
    .min(1)
    .max(MAX_RECORDS_PER_PUSH),
});

export interface WebhookRequest {
  feedId: string;
  timestamp: string | undefined;
  signature: string | undefined;
  body: Buffer;
  now?: Date;
}

async function* pushedEvents(records: Array<Record<string, unknown> & { sourceId: string }>): AsyncGenerator<ReadEvent> {
  for (const data of records) yield { type: 'record', record: { sourceId: data.sourceId, data } };
}

/**
 * Verifies a push and syncs its records as a WEBHOOK run. The signature is recorded before
 * the run, so a replay is refused even while the first delivery is still being processed.
 */
export async function acceptWebhook(runtime: IngestRuntime, request: WebhookRequest): Promise<RunOutcome> {
  const { models } = runtime;
  const feed = Types.ObjectId.isValid(request.feedId)
    ? await models.Feed.findOne({ _id: request.feedId, status: 'ACTIVE', connector: WEBHOOK_CONNECTOR_ID }).lean()
    : null;
  if (!feed?.webhookSecret) throw new WebhookError('NOT_FOUND', '数据源不存在 / Feed not found');
  if (!request.timestamp || !request.signature) {
    throw new WebhookError('MISSING_SIGNATURE', `缺少签名 / Missing ${TIMESTAMP_HEADER} or ${SIGNATURE_HEADER} header`);
  }
  const now = request.now ?? new Date();
  const sentAt = Number(request.timestamp);
  if (!/^\d{1,12}$/.test(request.timestamp) || Math.abs(now.getTime() / 1000 - sentAt) > SIGNATURE_WINDOW_SECONDS) {
    throw new WebhookError('STALE_TIMESTAMP', `时间戳超出允许范围 / Timestamp outside the ±${SIGNATURE_WINDOW_SECONDS}s window`);
  }
  const expected = Buffer.from(signWebhook(openSecret(feed.webhookSecret), request.timestamp, request.body));
  const given = Buffer.from(request.signature.trim());
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new WebhookError('BAD_SIGNATURE', '签名无效 / Invalid signature');
  }
  try {
    await models.WebhookReceipt.create({
      _id: request.signature.trim(),
      feed: feed._id,
      expiresAt: new Date(now.getTime() + 2 * SIGNATURE_WINDOW_SECONDS * 1000),
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === 11000) throw new WebhookError('REPLAYED', '重复的推送请求 / Replayed request');
    throw error;
  }
  let parsed: z.infer<typeof pushBodySchema>;
  try {
    parsed = pushBodySchema.parse(JSON.parse(request.body.toString('utf8')));
  } catch (error) {
    const detail = error instanceof z.ZodError ? z.prettifyError(error) : (error as Error).message;
    throw new WebhookError('BAD_BODY', `请求体无效 / Invalid body: ${detail}`);
  }
  // Pushes to one feed are serialised by its lease; a short wait absorbs a concurrent delivery.
  for (let attempt = 0; attempt < 20; attempt++) {
    const outcome = await runFeed(runtime, feed._id, { trigger: 'WEBHOOK', events: pushedEvents(parsed.records) });
    if (outcome.started) return outcome;
    await delay(250 * (attempt + 1));
  }
  throw new WebhookError('BUSY', '数据源正忙，请稍后重试 / The feed is busy; retry later');
}
