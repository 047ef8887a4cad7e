import type { Types } from 'mongoose';
import type {
  Connector,
  ConnectorState,
  MapResult,
  RawRecord,
  ReadContext,
  ReadEvent,
  SafeFetch,
} from '../../connectors/contract.js';
import type { OrgUnitModel, ResourceModel } from '../db/index.js';
import type { FeedDoc } from '../db/models/feed.js';
import type { IngestModels } from '../db/models/ingest.js';
import type { RunStatus, RunTrigger, SyncRunDoc, SyncStats } from '../db/models/sync-run.js';
import { classifyError, SyncError } from './errors.js';
import { acquireLease, bindLeaseToRun, INSTANCE_ID, releaseLease, renewLease, type HeldLease } from './lease.js';
import { OrgUnitResolver } from './org-units.js';
import { prepareRecord, type PreparedRecord, type RecordRules } from './prepare.js';
import { fileQuarantine, hasOpenQuarantine, quarantineEntry, resolveQuarantine, type QuarantineEntry } from './quarantine.js';
import { applyResourcePlan, planResourceWrites, purgeClassified, type ResourcePlan, type StorableRecord } from './resource-writer.js';
import { openConfig } from './secrets.js';
import { SeenSet } from './seen-set.js';
import { isUploadUrl, uploadedFileFetch } from './uploads.js';
import { activeFilter, countMissing, markHeldWithdrawal, withdrawHeld, withdrawMissing } from './withdrawal.js';

export type SyncModels = IngestModels & { Resource: ResourceModel; OrgUnit: OrgUnitModel };

export interface IngestLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

/** What the engine runs on: the store, the connectors, the network, the search tokenizer. */
export interface IngestRuntime {
  models: SyncModels;
  connector(id: string): Connector | undefined;
  fetch: SafeFetch;
  /** Fills `searchTerms` for a resource's stored fields. */
  searchTerms(resource: Record<string, unknown>): string[];
  log: IngestLogger;
  leaseTtlMs?: number;
  batchSize?: number;
}

export interface RunOptions {
  trigger: RunTrigger;
  /** Stops the run (shutdown); the run's own timeout applies as well. */
  signal?: AbortSignal;
  /** Records to sync instead of reading the connector (webhook pushes). */
  events?: AsyncIterable<ReadEvent>;
  /** Fetch for this run only (uploaded files are served from the store). */
  fetch?: SafeFetch;
  /** A scheduled firing's key: at most one run per slot across instances. */
  slot?: string;
  attempt?: number;
}

export type RunOutcome =
  | { started: false; reason: 'BUSY' | 'PAUSED' }
  | { started: true; run: SyncRunDoc };

/** The engine's own state on a feed: the connector's checkpoint plus the incremental high-water mark. */
interface EngineState {
  reader: ConnectorState | null;
  cursor: string | null;
}

function engineState(value: Record<string, unknown> | null): EngineState {
  return {
    reader: (value?.reader as ConnectorState | undefined) ?? null,
    cursor: typeof value?.cursor === 'string' ? value.cursor : null,
  };
}

function emptyStats(): SyncStats {
  return { fetched: 0, created: 0, updated: 0, unchanged: 0, withdrawn: 0, quarantined: 0 };
}

/** Compares cursor values numerically when both are numbers, else as strings (ISO dates sort). */
export function compareCursor(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

function cursorOf(raw: RawRecord, cursorField: string | null): string | null {
  if (raw.cursor !== undefined) return raw.cursor;
  if (!cursorField) return null;
  const value = cursorField.split('.').reduce<unknown>(
    (node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined),
    raw.data,
  );
  return value === undefined || value === null ? null : String(value);
}

export function resolveConnector(runtime: IngestRuntime, feed: Pick<FeedDoc, 'connector'>): Connector {
  const connector = runtime.connector(feed.connector);
  if (!connector) throw new SyncError('CONFIG', `未知的连接器 / Unknown connector: ${feed.connector}`, 'feed');
  return connector;
}

/** The connector's config for a feed: credentials opened, the feed's mapping passed along, validated. */
export function connectorConfig(connector: Connector, feed: Pick<FeedDoc, 'config' | 'mapping'>): unknown {
  const config = openConfig(feed.config);
  const withMapping = feed.mapping ? { ...config, mapping: feed.mapping } : config;
  const parsed = connector.configSchema.safeParse(withMapping);
  if (!parsed.success) {
    throw new SyncError('CONFIG', `连接器配置无效 / Invalid connector config: ${parsed.error.message}`, 'config', { cause: parsed.error });
  }
  return parsed.data;
}

/** The network for pulled feeds; the store for feeds that read uploaded files. */
export function fetchFor(runtime: IngestRuntime, feed: Pick<FeedDoc, '_id' | 'config'>): SafeFetch {
  return isUploadUrl(feed.config.url) ? uploadedFileFetch(runtime.models, feed._id) : runtime.fetch;
}

export function recordRules(feed: FeedDoc): RecordRules {
  return { department: feed.department, targetKind: feed.targetKind, defaultOrgUnitCodes: feed.orgScope };
}

/**
 * Attaches prepared records to org units: unknown codes and units outside the feed's scope
 * send a record to quarantine. Reads only (the resolver loads codes it has not seen).
 */
export async function placeRecords(
  orgUnits: OrgUnitResolver,
  orgScope: readonly string[],
  prepared: PreparedRecord[],
): Promise<{ storable: StorableRecord[]; rejected: QuarantineEntry[] }> {
  await orgUnits.load([...orgScope, ...prepared.flatMap((item) => (item.ok ? item.record.orgUnitCodes : []))]);
  const scope = orgUnits.scopeIds(orgScope);
  const storable: StorableRecord[] = [];
  const rejected: QuarantineEntry[] = [];
  for (const item of prepared) {
    if (!item.ok) {
      rejected.push(quarantineEntry(item));
      continue;
    }
    const placed = orgUnits.place(item.record.orgUnitCodes);
    if (!placed.ok) {
      rejected.push({
        sourceId: item.raw.sourceId,
        code: 'UNKNOWN_ORG_UNIT',
        reasons: [`未知的组织编码 / Unknown org unit codes: ${placed.unknown.join(', ')}`],
        raw: item.raw.data,
      });
      continue;
    }
    if (scope.size > 0 && !placed.placement.orgPaths.some((id) => scope.has(id.toHexString()))) {
      rejected.push({
        sourceId: item.raw.sourceId,
        code: 'OUT_OF_SCOPE',
        reasons: [`组织不在数据源范围内 / Org units outside the feed's scope: ${item.record.orgUnitCodes.join(', ')}`],
        raw: item.raw.data,
      });
      continue;
    }
    storable.push({ sourceId: item.raw.sourceId, record: item.record, hash: item.hash, placement: placed.placement });
  }
  return { storable, rejected };
}

/**
 * One batch of raw records through map → validate → place → store, with rejects filed in
 * quarantine.
 */
export class BatchProcessor {
  private readonly orgUnits: OrgUnitResolver;
  /** Whether the feed has open quarantine entries a stored record may close (asked once). */
  private openQuarantine: boolean | undefined;
  /** The previous batch's writes while they are in flight, with its source ids. */
  private writing: { sourceIds: ReadonlySet<string>; done: Promise<void> } | undefined;

  constructor(
    private readonly runtime: IngestRuntime,
    private readonly feed: FeedDoc,
    private readonly runId: Types.ObjectId,
    private readonly mapRecord: (raw: RawRecord) => MapResult,
  ) {
    this.orgUnits = new OrgUnitResolver(runtime.models.OrgUnit);
  }

  /** map → validate → hash: CPU only, so a run does it while the previous batch is being stored. */
  prepare(batch: RawRecord[]): PreparedRecord[] {
    const rules = recordRules(this.feed);
    return batch.map((raw) => prepareRecord(raw, this.mapRecord, rules));
  }

  /**
   * Places a prepared batch, files its rejects and plans its writes, then starts them once the
   * previous batch's writes are done: batches are written one at a time, in read order, but
   * a batch is planned while the previous one is still being written (the store works while
   * this process builds documents). Resolves once the writes have started; settled() waits
   * for them.
   */
  async store(prepared: PreparedRecord[], stats: SyncStats): Promise<void> {
    const sourceIds = prepared.map((item) => item.raw.sourceId);
    if (this.writing && !this.independentOfWriting(prepared, sourceIds)) await this.writing.done;
    const { storable, rejected } = await placeRecords(this.orgUnits, this.feed.orgScope, prepared);
    const { models } = this.runtime;
    const classified = rejected.filter((entry) => entry.code === 'CLASSIFIED').map((entry) => entry.sourceId);
    await purgeClassified(models.Resource, this.feed._id, classified);
    await fileQuarantine(models.Quarantine, this.feed._id, this.runId, rejected);
    if (rejected.length > 0) this.openQuarantine = true;
    this.openQuarantine ??= await hasOpenQuarantine(models.Quarantine, this.feed._id);
    const plan = await planResourceWrites(storable, {
      Resource: models.Resource,
      feedId: this.feed._id,
      runId: this.runId,
      reviewPolicy: this.feed.reviewPolicy,
      searchTerms: this.runtime.searchTerms,
    });
    await this.writing?.done;
    const done = this.write(plan, storable, rejected.length, stats);
    // A failure surfaces when the next batch or settled() awaits it, not as an unhandled rejection meanwhile.
    done.catch(() => undefined);
    this.writing = { sourceIds: new Set(sourceIds), done };
  }

  /** Waits until every stored batch is written; rejects with a batch's failure. */
  async settled(): Promise<void> {
    await this.writing?.done;
  }

  private async write(plan: ResourcePlan, storable: StorableRecord[], quarantined: number, stats: SyncStats): Promise<void> {
    const counts = await applyResourcePlan(plan);
    if (this.openQuarantine) {
      await resolveQuarantine(this.runtime.models.Quarantine, this.feed._id, storable.map((item) => item.sourceId));
    }
    stats.created += counts.created;
    stats.updated += counts.updated;
    stats.unchanged += counts.unchanged;
    stats.quarantined += quarantined;
  }

  /**
   * Whether a batch can be planned while the previous one is written: it shares no source id
   * with it (its copies, quarantine entries and purges are other documents) and holds no
   * policy (merging looks for copies that earlier batches may just be joining).
   */
  private independentOfWriting(prepared: PreparedRecord[], sourceIds: string[]): boolean {
    const writing = this.writing?.sourceIds;
    if (!writing) return true;
    return !sourceIds.some((id) => writing.has(id)) && !prepared.some((item) => item.ok && item.record.kind === 'POLICY');
  }
}

interface RunResult {
  status: RunStatus;
  error: SyncError | null;
  complete: boolean;
  stateAfter: EngineState;
  held: { activeBefore: number; toWithdraw: number } | null;
}

/**
 * Runs one feed once, under its lease: reads, maps, stores, files rejects, withdraws what
 * a complete full snapshot no longer contains (within the drop guard), and records the run.
 * Returns `started: false` when another run holds the feed.
 */
export async function runFeed(runtime: IngestRuntime, feedId: Types.ObjectId, options: RunOptions): Promise<RunOutcome> {
  const { models } = runtime;
  const feed = await models.Feed.findById(feedId).lean();
  if (!feed || feed.status === 'DELETED') throw new SyncError('CONFIG', `数据源不存在 / Feed not found: ${feedId}`, 'feed');
  if (feed.status === 'PAUSED' && options.trigger === 'SCHEDULE') return { started: false, reason: 'PAUSED' };
  const lease = await acquireLease(models, {
    feedId,
    ...(runtime.leaseTtlMs ? { ttlMs: runtime.leaseTtlMs } : {}),
    ...(options.slot ? { slot: options.slot } : {}),
  });
  if (!lease) return { started: false, reason: 'BUSY' };
  try {
    return { started: true, run: await runUnderLease(runtime, feed, lease, options) };
  } finally {
    await releaseLease(models, lease);
  }
}

async function runUnderLease(runtime: IngestRuntime, feed: FeedDoc, lease: HeldLease, options: RunOptions): Promise<SyncRunDoc> {
  const { models } = runtime;
  const startedAt = new Date();
  const stateBefore = engineState(feed.state);
  const created = await models.SyncRun.create({
    feed: feed._id,
    trigger: options.trigger,
    attempt: options.attempt ?? 1,
    instance: lease.holder,
    startedAt,
    status: 'RUNNING',
    stateBefore: feed.syncMode === 'INCREMENTAL' ? stateBefore : null,
  });
  const runId = created._id;
  await bindLeaseToRun(models, lease, runId);
  await models.Feed.updateOne(
    { _id: feed._id },
    { $set: { lastRun: { runId, status: 'RUNNING', startedAt, finishedAt: null } } },
  );

  const lost = new AbortController();
  const renewal = setInterval(() => {
    renewLease(models, lease).then(
      (held) => {
        if (!held) lost.abort(new SyncError('INTERNAL', '租约丢失 / The feed lease was lost to another instance', 'lease'));
      },
      (error: unknown) => runtime.log.warn({ err: error, feed: feed.name }, 'lease renewal failed'),
    );
  }, Math.max(50, Math.floor(lease.ttlMs / 3)));
  const signals = [lost.signal, AbortSignal.timeout(feed.runTimeoutMs)];
  if (options.signal) signals.push(options.signal);
  const signal = AbortSignal.any(signals);

  const stats = emptyStats();
  let result: RunResult;
  try {
    result = await executeRun(runtime, feed, runId, stateBefore, stats, signal, options);
  } catch (error) {
    result = { status: 'FAILED', error: classifyError(error), complete: false, stateAfter: stateBefore, held: null };
  } finally {
    clearInterval(renewal);
  }
  return finishRun(runtime, feed, runId, stats, result);
}

async function executeRun(
  runtime: IngestRuntime,
  feed: FeedDoc,
  runId: Types.ObjectId,
  stateBefore: EngineState,
  stats: SyncStats,
  signal: AbortSignal,
  options: RunOptions,
): Promise<RunResult> {
  const { models } = runtime;
  const connector = resolveConnector(runtime, feed);
  const config = connectorConfig(connector, feed);
  const incremental = feed.syncMode === 'INCREMENTAL';
  // A full refresh always reads the whole source: its seen-set must cover every record.
  const readerState = incremental ? stateBefore.reader ?? undefined : undefined;
  const context: ReadContext = {
    signal,
    fetch: options.fetch ?? fetchFor(runtime, feed),
    log: (message, fields) => runtime.log.info({ ...fields, feed: feed.name, run: runId.toHexString() }, message),
  };
  const events = options.events ?? connector.read(config, readerState, context);
  const processor = new BatchProcessor(runtime, feed, runId, (raw) => connector.map(raw, config));
  const batchSize = runtime.batchSize ?? 1_000;
  const pulled = !options.events;
  const tracksSnapshot = !incremental && pulled;
  // The cursor belongs to pulled reads; pushed and requeued records neither skip nor advance it.
  const tracksCursor = incremental && pulled;
  const seen = tracksSnapshot ? new SeenSet() : null;
  const activeBefore = tracksSnapshot ? await models.Resource.countDocuments(activeFilter(feed._id)) : 0;
  let highWater = stateBefore.cursor;
  let stateAfter = stateBefore;
  let complete = false;
  let batch: RawRecord[] = [];
  /** The batch being placed and planned while the next one is read and prepared. */
  let storing: Promise<void> | undefined;

  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const prepared = processor.prepare(batch);
    batch = [];
    // Batches are stored in read order (store() orders their writes).
    await storing;
    storing = processor.store(prepared, stats);
    // Its failure surfaces when it is awaited (next flush or drain), not as an unhandled rejection meanwhile.
    storing.catch(() => undefined);
  };
  /** Everything read so far is stored. */
  const drain = async (): Promise<void> => {
    await flush();
    await storing;
    await processor.settled();
  };
  const checkpoint = async (reader: ConnectorState): Promise<void> => {
    await drain();
    stateAfter = { reader, cursor: highWater };
    if (incremental) {
      await models.Feed.updateOne({ _id: feed._id }, { $set: { state: stateAfter } });
      await models.SyncRun.updateOne({ _id: runId }, { $set: { stateAfter, stats } });
    }
  };

  try {
    for await (const event of events) {
      signal.throwIfAborted();
      if (event.type === 'record') {
        stats.fetched += 1;
        seen?.add(event.record.sourceId);
        const cursor = cursorOf(event.record, feed.cursorField);
        if (tracksCursor && cursor !== null) {
          // Records strictly behind the last completed run's mark were stored then.
          if (stateBefore.cursor !== null && compareCursor(cursor, stateBefore.cursor) < 0) {
            stats.unchanged += 1;
            continue;
          }
          if (highWater === null || compareCursor(cursor, highWater) > 0) highWater = cursor;
        }
        batch.push(event.record);
        if (batch.length >= batchSize) await flush();
      } else if (event.type === 'checkpoint') {
        await checkpoint(event.state);
      } else {
        await checkpoint(event.state);
        complete = true;
      }
    }
    await drain();
    signal.throwIfAborted();
  } catch (error) {
    // Whatever was read before the failure is stored; nothing is withdrawn.
    await drain().catch(() => undefined);
    throw classifyError(signal.aborted && signal.reason instanceof SyncError ? signal.reason : error, 'read');
  }
  if (tracksCursor && !complete && highWater !== stateAfter.cursor) await checkpoint(stateAfter.reader ?? {});

  let held: RunResult['held'] = null;
  if (seen && complete && activeBefore > 0) {
    const toWithdraw = await countMissing(models.Resource, feed._id, seen);
    if (toWithdraw > 0 && toWithdraw / activeBefore > feed.withdrawalGuard) {
      await markHeldWithdrawal(models.Resource, feed._id, seen, runId);
      held = { activeBefore, toWithdraw };
    } else if (toWithdraw > 0) {
      stats.withdrawn = await withdrawMissing(models.Resource, feed._id, seen);
    }
  }
  const status: RunStatus = held ? 'HELD' : stats.quarantined > 0 || (tracksSnapshot && !complete) ? 'PARTIAL' : 'SUCCEEDED';
  return { status, error: null, complete, stateAfter, held };
}

async function finishRun(
  runtime: IngestRuntime,
  feed: FeedDoc,
  runId: Types.ObjectId,
  stats: SyncStats,
  result: RunResult,
): Promise<SyncRunDoc> {
  const { models } = runtime;
  const finishedAt = new Date();
  const error = result.error ? { class: result.error.errorClass, message: result.error.message, origin: result.error.origin } : null;
  const run = await models.SyncRun.findOneAndUpdate(
    { _id: runId },
    {
      $set: {
        status: result.status,
        finishedAt,
        stats,
        error,
        complete: result.complete,
        stateAfter: feed.syncMode === 'INCREMENTAL' ? result.stateAfter : null,
        held: result.held ? { ...result.held, confirmedAt: null, confirmedBy: null } : null,
      },
    },
    { new: true },
  ).lean();
  const failed = result.status === 'FAILED';
  await models.Feed.updateOne(
    { _id: feed._id },
    {
      $set: {
        lastRun: { runId, status: result.status, startedAt: run?.startedAt ?? finishedAt, finishedAt },
        ...(failed ? {} : { lastSuccessAt: finishedAt, failureStreak: 0 }),
      },
      ...(failed ? { $inc: { failureStreak: 1 } } : {}),
    },
  );
  const level = failed ? 'error' : 'info';
  runtime.log[level]({ feed: feed.name, run: runId.toHexString(), status: result.status, stats, error }, 'sync run finished');
  if (!run) throw new SyncError('INTERNAL', `运行记录丢失 / Run record vanished: ${runId}`, 'engine');
  return run;
}

/**
 * An admin's confirmation of a held run's withdrawals. Only the feed's latest run can be
 * confirmed: a later run has seen the source again and decided afresh.
 */
export async function confirmWithdrawal(runtime: IngestRuntime, runId: Types.ObjectId, actor: string | null): Promise<SyncRunDoc> {
  const { models } = runtime;
  const run = await models.SyncRun.findById(runId).lean();
  if (!run || run.status !== 'HELD' || !run.held) {
    throw new SyncError('CONFIG', `该运行没有待确认的撤回 / Run ${runId} has no withdrawal awaiting confirmation`, 'confirm');
  }
  const later = await models.SyncRun.exists({ feed: run.feed, startedAt: { $gt: run.startedAt } });
  if (later) throw new SyncError('CONFIG', '已有更新的运行，请重新同步 / A later run exists; run the feed again instead', 'confirm');
  const lease = await acquireLease(models, { feedId: run.feed, ...(runtime.leaseTtlMs ? { ttlMs: runtime.leaseTtlMs } : {}) });
  if (!lease) throw new SyncError('CONFIG', '数据源正在同步 / The feed is syncing; try again shortly', 'confirm');
  try {
    const withdrawn = await withdrawHeld(models.Resource, run.feed, runId);
    const status: RunStatus = run.stats.quarantined > 0 ? 'PARTIAL' : 'SUCCEEDED';
    const confirmed = await models.SyncRun.findOneAndUpdate(
      { _id: runId, status: 'HELD' },
      { $set: { status, 'stats.withdrawn': withdrawn, 'held.confirmedAt': new Date(), 'held.confirmedBy': actor } },
      { new: true },
    ).lean();
    await models.Feed.updateOne({ _id: run.feed, 'lastRun.runId': runId }, { $set: { 'lastRun.status': status } });
    if (!confirmed) throw new SyncError('CONFIG', '该运行已被确认 / The run was already confirmed', 'confirm');
    return confirmed;
  } finally {
    await releaseLease(models, lease);
  }
}

export { INSTANCE_ID };
