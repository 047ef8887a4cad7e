import { Types } from 'mongoose';
import { z } from 'zod';
import type { RawRecord } from '../../../connectors/contract.js';
import type { DepartmentModel } from '../../db/models/department.js';
import {
  DEFAULT_FEED_TIMEZONE,
  DEFAULT_WITHDRAWAL_GUARD,
  FEED_TARGET_KINDS,
  REVIEW_POLICIES,
  SYNC_MODES,
  type FeedDoc,
} from '../../db/models/feed.js';
import type { QuarantineDoc } from '../../db/models/quarantine.js';
import type { SyncRunDoc } from '../../db/models/sync-run.js';
import {
  connectorConfig,
  fetchFor,
  isValidCron,
  newWebhookSecret,
  redactConfig,
  resolveConnector,
  runFeed,
  sealConfig,
  SyncError,
  WEBHOOK_CONNECTOR_ID,
  type IngestRuntime,
  type RunOutcome,
} from '../../ingest/index.js';
import { placeRecords, recordRules } from '../../ingest/engine.js';
import { OrgUnitResolver } from '../../ingest/org-units.js';
import { prepareRecord } from '../../ingest/prepare.js';

/**
 * Feed administration for department admins: register, change, pause, resume, delete
 * (softly), preview, run, and read health, runs and quarantine. Credentials are sealed on
 * the way in and redacted on the way out; nothing here returns a plaintext secret except
 * a webhook feed's signing key, once, when it is created or rotated.
 */

export type FeedErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'UNAUTHENTICATED' | 'FORBIDDEN';

export class FeedError extends Error {
  override readonly name = 'FeedError';
  constructor(
    readonly code: FeedErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const isTimezone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const feedFields = {
  name: z.string().trim().min(1).max(200),
  department: z.string().trim().toLowerCase().min(1).max(64),
  connector: z.string().trim().min(1),
  config: z.record(z.string(), z.unknown()),
  mapping: z.record(z.string(), z.unknown()).nullable(),
  targetKind: z.enum(FEED_TARGET_KINDS),
  schedule: z.object({
    cron: z
      .string()
      .trim()
      .refine(isValidCron, { message: '无效的 cron 表达式 / Invalid cron expression' })
      .nullable(),
    timezone: z.string().refine(isTimezone, { message: '未知时区 / Unknown timezone' }).default(DEFAULT_FEED_TIMEZONE),
  }),
  syncMode: z.enum(SYNC_MODES),
  cursorField: z.string().trim().min(1).nullable(),
  orgScope: z.array(z.string().trim().min(1)),
  reviewPolicy: z.enum(REVIEW_POLICIES),
  withdrawalGuard: z.number().min(0).max(1),
  runTimeoutMs: z.number().int().min(1_000).max(24 * 3_600_000),
  owner: z.string().min(1).nullable(),
};

export const registerFeedSchema = z.object({
  ...feedFields,
  config: feedFields.config.default({}),
  mapping: feedFields.mapping.default(null),
  schedule: feedFields.schedule.default({ cron: null, timezone: DEFAULT_FEED_TIMEZONE }),
  syncMode: feedFields.syncMode.default('FULL'),
  cursorField: feedFields.cursorField.default(null),
  orgScope: feedFields.orgScope.default([]),
  reviewPolicy: feedFields.reviewPolicy.default('REQUIRE_REVIEW'),
  withdrawalGuard: feedFields.withdrawalGuard.default(DEFAULT_WITHDRAWAL_GUARD),
  runTimeoutMs: feedFields.runTimeoutMs.optional(),
  owner: feedFields.owner.default(null),
});
export type RegisterFeedInput = z.input<typeof registerFeedSchema>;

export const updateFeedSchema = z.object(feedFields).omit({ connector: true }).partial();
export type UpdateFeedInput = z.input<typeof updateFeedSchema>;

/** A feed as the API shows it: credentials redacted, the webhook key never included. */
export type FeedView = Omit<FeedDoc, 'webhookSecret' | 'config'> & { config: Record<string, unknown>; hasWebhookSecret: boolean };

export function feedView(feed: FeedDoc): FeedView {
  const { webhookSecret, config, ...rest } = feed;
  return { ...rest, config: redactConfig(config), hasWebhookSecret: Boolean(webhookSecret) };
}

export interface FeedHealth {
  lastSuccessAt: Date | null;
  /** Seconds since the last successful run (null before the first). */
  lagSeconds: number | null;
  failureStreak: number;
  lastRunStatus: string | null;
  healthy: boolean;
}

export function feedHealth(feed: Pick<FeedDoc, 'lastSuccessAt' | 'failureStreak' | 'lastRun'>, now = new Date()): FeedHealth {
  const lagSeconds = feed.lastSuccessAt ? Math.round((now.getTime() - feed.lastSuccessAt.getTime()) / 1000) : null;
  return {
    lastSuccessAt: feed.lastSuccessAt,
    lagSeconds,
    failureStreak: feed.failureStreak,
    lastRunStatus: feed.lastRun.status,
    healthy: feed.failureStreak === 0 && feed.lastRun.status !== 'HELD',
  };
}

function parseInput<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new FeedError('BAD_USER_INPUT', `数据源设置无效 / Invalid feed input: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export interface FeedServiceDeps {
  runtime: IngestRuntime;
  Department: DepartmentModel;
}

export interface PreviewItem {
  sourceId: string;
  ok: boolean;
  /** The normalized record (ok) as JSON. */
  record: Record<string, unknown> | null;
  code: string | null;
  reasons: string[];
}

export interface PreviewResult {
  fetched: number;
  items: PreviewItem[];
}

export const MAX_PREVIEW = 100;

export class FeedService {
  constructor(private readonly deps: FeedServiceDeps) {}

  private get models() {
    return this.deps.runtime.models;
  }

  async get(id: string): Promise<FeedDoc> {
    const feed = Types.ObjectId.isValid(id) ? await this.models.Feed.findOne({ _id: id, status: { $ne: 'DELETED' } }).lean() : null;
    if (!feed) throw new FeedError('NOT_FOUND', `数据源不存在 / Feed not found: ${id}`);
    return feed;
  }

  async findByNameOrId(key: string): Promise<FeedDoc> {
    const byName = await this.models.Feed.findOne({ name: key, status: { $ne: 'DELETED' } }).lean();
    return byName ?? this.get(key);
  }

  async list(filter: { department?: string | null; status?: string | null } = {}): Promise<FeedDoc[]> {
    const query: Record<string, unknown> = { status: filter.status ?? { $ne: 'DELETED' } };
    if (filter.department) query.department = filter.department;
    return this.models.Feed.find(query).sort({ department: 1, name: 1 }).lean();
  }

  /** Checks what only the store and the registry know: department, org scope, connector config. */
  private async validate(feed: Pick<FeedDoc, 'department' | 'orgScope' | 'connector' | 'config' | 'mapping'>): Promise<void> {
    if (!(await this.deps.Department.exists({ code: feed.department }))) {
      throw new FeedError('BAD_USER_INPUT', `未知部门 / Unknown department: ${feed.department}`);
    }
    if (feed.orgScope.length > 0) {
      const found = await this.models.OrgUnit.countDocuments({ code: { $in: feed.orgScope } });
      if (found !== new Set(feed.orgScope).size) {
        throw new FeedError('BAD_USER_INPUT', `组织范围含未知编码 / Org scope names unknown units: ${feed.orgScope.join(', ')}`);
      }
    }
    try {
      connectorConfig(resolveConnector(this.deps.runtime, feed), feed);
    } catch (error) {
      throw new FeedError('BAD_USER_INPUT', error instanceof Error ? error.message : String(error));
    }
  }

  /** Registers a feed. A webhook feed's signing key is returned here once, never again. */
  async register(input: RegisterFeedInput): Promise<{ feed: FeedDoc; webhookSecret: string | null }> {
    const data = parseInput(registerFeedSchema, input);
    const config = sealConfig(data.config);
    await this.validate({ ...data, config });
    const secret = data.connector === WEBHOOK_CONNECTOR_ID ? newWebhookSecret() : null;
    try {
      const created = await this.models.Feed.create({ ...data, config, webhookSecret: secret?.sealed ?? null, status: 'ACTIVE' });
      return { feed: created.toObject(), webhookSecret: secret?.plain ?? null };
    } catch (error) {
      if ((error as { code?: unknown }).code === 11000) {
        throw new FeedError('CONFLICT', `数据源名称已存在 / A feed named ${data.name} already exists`);
      }
      throw error;
    }
  }

  async update(id: string, input: UpdateFeedInput): Promise<FeedDoc> {
    const current = await this.get(id);
    const patch = parseInput(updateFeedSchema, input);
    const next = { ...current, ...patch };
    if (patch.config) next.config = sealConfig(patch.config, current.config);
    await this.validate(next);
    const { _id, createdAt, updatedAt, ...fields } = next;
    void createdAt;
    void updatedAt;
    const updated = await this.models.Feed.findOneAndUpdate({ _id }, { $set: fields }, { new: true }).lean();
    if (!updated) throw new FeedError('NOT_FOUND', `数据源不存在 / Feed not found: ${id}`);
    return updated;
  }

  private async setStatus(id: string, from: string[], to: 'ACTIVE' | 'PAUSED' | 'DELETED'): Promise<FeedDoc> {
    await this.get(id);
    const updated = await this.models.Feed.findOneAndUpdate({ _id: id, status: { $in: from } }, { $set: { status: to } }, { new: true }).lean();
    if (!updated) throw new FeedError('CONFLICT', `数据源状态不允许此操作 / The feed's status does not allow this`);
    return updated;
  }

  pause(id: string): Promise<FeedDoc> {
    return this.setStatus(id, ['ACTIVE', 'PAUSED'], 'PAUSED');
  }

  resume(id: string): Promise<FeedDoc> {
    return this.setStatus(id, ['ACTIVE', 'PAUSED'], 'ACTIVE');
  }

  /** Soft delete: the feed stops and disappears from lists; its records stay as they are. */
  remove(id: string): Promise<FeedDoc> {
    return this.setStatus(id, ['ACTIVE', 'PAUSED'], 'DELETED');
  }

  async rotateWebhookSecret(id: string): Promise<string> {
    const feed = await this.get(id);
    if (feed.connector !== WEBHOOK_CONNECTOR_ID) throw new FeedError('BAD_USER_INPUT', '不是推送型数据源 / Not a webhook feed');
    const secret = newWebhookSecret();
    await this.models.Feed.updateOne({ _id: feed._id }, { $set: { webhookSecret: secret.sealed } });
    return secret.plain;
  }

  async run(id: string, trigger: 'MANUAL' | 'CLI' = 'MANUAL'): Promise<RunOutcome> {
    const feed = await this.get(id);
    if (feed.status === 'PAUSED') throw new FeedError('CONFLICT', '数据源已暂停 / The feed is paused');
    try {
      return await runFeed(this.deps.runtime, feed._id, { trigger });
    } catch (error) {
      if (error instanceof SyncError && error.errorClass === 'CONFIG') throw new FeedError('BAD_USER_INPUT', error.message);
      throw error;
    }
  }

  /**
   * A dry run: reads the first `limit` records of a registered feed, or of a draft that is
   * not registered yet, and shows what mapping makes of them. Reads only; writes nothing.
   */
  async preview(source: { feedId: string } | { draft: RegisterFeedInput }, limit = 20): Promise<PreviewResult> {
    const feed = 'feedId' in source ? await this.get(source.feedId) : this.draftFeed(source.draft);
    const runtime = this.deps.runtime;
    let config: unknown;
    let connector;
    try {
      connector = resolveConnector(runtime, feed);
      config = connectorConfig(connector, feed);
    } catch (error) {
      throw new FeedError('BAD_USER_INPUT', error instanceof Error ? error.message : String(error));
    }
    const controller = new AbortController();
    const raws: RawRecord[] = [];
    const wanted = Math.min(Math.max(limit, 1), MAX_PREVIEW);
    const state = feed.syncMode === 'INCREMENTAL' ? ((feed.state?.reader as Record<string, unknown> | undefined) ?? undefined) : undefined;
    try {
      const events = connector.read(config, state, {
        signal: controller.signal,
        fetch: fetchFor(runtime, feed),
        log: () => undefined,
      });
      for await (const event of events) {
        if (event.type !== 'record') continue;
        raws.push(event.record);
        if (raws.length >= wanted) break;
      }
    } catch (error) {
      throw new FeedError('BAD_USER_INPUT', `读取数据源失败 / Reading the source failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      controller.abort();
    }
    const mapper = connector.map.bind(connector);
    const prepared = raws.map((raw) => prepareRecord(raw, (r) => mapper(r, config), recordRules(feed)));
    const { storable, rejected } = await placeRecords(new OrgUnitResolver(this.models.OrgUnit), feed.orgScope, prepared);
    const stored = new Map(storable.map((item) => [item.sourceId, item]));
    const refused = new Map(rejected.map((item) => [item.sourceId, item]));
    return {
      fetched: raws.length,
      items: raws.map((raw) => {
        const ok = stored.get(raw.sourceId);
        const bad = refused.get(raw.sourceId);
        return {
          sourceId: raw.sourceId,
          ok: Boolean(ok) && !bad,
          record: ok && !bad ? (JSON.parse(JSON.stringify(ok.record)) as Record<string, unknown>) : null,
          code: bad?.code ?? null,
          reasons: bad?.reasons ?? [],
        };
      }),
    };
  }

  private draftFeed(draft: RegisterFeedInput): FeedDoc {
    const data = parseInput(registerFeedSchema, draft);
    const now = new Date();
    return {
      ...data,
      _id: new Types.ObjectId(),
      config: sealConfig(data.config),
      runTimeoutMs: data.runTimeoutMs ?? 60_000,
      status: 'ACTIVE',
      webhookSecret: null,
      state: null,
      lastRun: { runId: null, status: null, startedAt: null, finishedAt: null },
      lastSuccessAt: null,
      failureStreak: 0,
      createdAt: now,
      updatedAt: now,
    };
  }

  async runs(feedId: string, first = 20): Promise<SyncRunDoc[]> {
    const feed = await this.get(feedId);
    return this.models.SyncRun.find({ feed: feed._id }).sort({ startedAt: -1 }).limit(Math.min(first, 200)).lean();
  }

  async syncRun(runId: string): Promise<SyncRunDoc> {
    const run = Types.ObjectId.isValid(runId) ? await this.models.SyncRun.findById(runId).lean() : null;
    if (!run) throw new FeedError('NOT_FOUND', `运行记录不存在 / Sync run not found: ${runId}`);
    return run;
  }

  async quarantine(feedId: string, status: string | null = 'OPEN', first = 50): Promise<QuarantineDoc[]> {
    const feed = await this.get(feedId);
    const query: Record<string, unknown> = { feed: feed._id };
    if (status) query.status = status;
    return this.models.Quarantine.find(query).sort({ lastSeenAt: -1 }).limit(Math.min(first, 500)).lean();
  }

  /**
   * Runs quarantined records through the pipeline again (after the mapping or the org tree
   * was fixed), as a REQUEUE run: stored ones close their entries, the rest stay open with
   * fresh reasons. CLASSIFIED entries hold no payload and cannot be requeued.
   */
  async requeue(ids: string[]): Promise<RunOutcome[]> {
    const valid = ids.filter((id) => Types.ObjectId.isValid(id));
    const entries = await this.models.Quarantine.find({ _id: { $in: valid }, status: 'OPEN', code: { $ne: 'CLASSIFIED' } }).lean();
    if (entries.length === 0) throw new FeedError('NOT_FOUND', '没有可重新处理的隔离记录 / No requeueable quarantine entries');
    const byFeed = new Map<string, QuarantineDoc[]>();
    for (const entry of entries) byFeed.set(entry.feed.toHexString(), [...(byFeed.get(entry.feed.toHexString()) ?? []), entry]);
    const outcomes: RunOutcome[] = [];
    for (const [feedId, group] of byFeed) {
      await this.models.Quarantine.updateMany({ _id: { $in: group.map((entry) => entry._id) } }, { $set: { status: 'REQUEUED' } });
      const events = (async function* () {
        for (const entry of group) yield { type: 'record' as const, record: { sourceId: entry.sourceId, data: entry.raw ?? {} } };
      })();
      const outcome = await runFeed(this.deps.runtime, new Types.ObjectId(feedId), { trigger: 'REQUEUE', events });
      if (!outcome.started) {
        await this.models.Quarantine.updateMany({ _id: { $in: group.map((entry) => entry._id) }, status: 'REQUEUED' }, { $set: { status: 'OPEN' } });
      }
      outcomes.push(outcome);
    }
    return outcomes;
  }

}
