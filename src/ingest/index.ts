import type { Connection } from 'mongoose';
import { getConnector } from '../../connectors/index.js';
import type { Connector } from '../../connectors/contract.js';
import { orgUnitModel } from '../db/models/org-unit.js';
import { resourceModels } from '../db/models/resource.js';
import { ingestModels } from '../db/models/ingest.js';
import { computeSearchTerms, type Searchable } from '../search/index.js';
import { createSafeFetch, type SafeFetchOptions } from './fetch/index.js';
import type { IngestLogger, IngestRuntime, SyncModels } from './engine.js';
import { webhookConnector, WEBHOOK_CONNECTOR_ID } from './webhook.js';
import { loadIngestSettings } from './settings.js';

/**
 * The sync engine's public surface: build a runtime once per process, then run feeds,
 * schedule them, accept pushes and uploads. Feed administration lives in src/domain/feeds.
 */

export { runFeed, confirmWithdrawal, connectorConfig, resolveConnector, fetchFor, type IngestRuntime, type IngestLogger, type RunOptions, type RunOutcome, type SyncModels } from './engine.js';
export { createScheduler, isValidCron, slotKey, type Scheduler, type SchedulerOptions } from './scheduler.js';
export { acquireLease, releaseLease, renewLease, reapAbandonedRuns, INSTANCE_ID, type HeldLease } from './lease.js';
export { SyncError, classifyError } from './errors.js';
export {
  acceptWebhook,
  webhookConnector,
  signWebhook,
  newWebhookSecret,
  WebhookError,
  WEBHOOK_CONNECTOR_ID,
  TIMESTAMP_HEADER,
  SIGNATURE_HEADER,
  SIGNATURE_WINDOW_SECONDS,
  type WebhookRejection,
} from './webhook.js';
export { storeFeedFile, listFeedFiles, isUploadUrl, UploadError, UPLOAD_LATEST_URL, uploadContentType, MAX_UPLOAD_BYTES } from './uploads.js';
export { sealConfig, openConfig, redactConfig, REDACTED, loadSecretKey } from './secrets.js';
export { loadIngestSettings, type IngestSettings } from './settings.js';
export { startIngest, type RunningIngest } from './start.js';

export interface IngestRuntimeOptions {
  log: IngestLogger;
  /** Safe-fetch settings (allowlist of private hosts, timeouts, size cap, retries). */
  fetch?: SafeFetchOptions;
  leaseTtlMs?: number;
  batchSize?: number;
}

/** The registry's connectors plus the hub's own webhook connector. */
export function lookupConnector(id: string): Connector | undefined {
  return id === WEBHOOK_CONNECTOR_ID ? (webhookConnector as unknown as Connector) : getConnector(id);
}

export function syncModels(connection: Connection): SyncModels {
  return { ...ingestModels(connection), Resource: resourceModels(connection).Resource, OrgUnit: orgUnitModel(connection) };
}

export function createIngestRuntime(connection: Connection, options: IngestRuntimeOptions): IngestRuntime {
  return {
    models: syncModels(connection),
    connector: lookupConnector,
    fetch: createSafeFetch(options.fetch ?? {}),
    searchTerms: (resource) => computeSearchTerms(resource as Searchable),
    log: options.log,
    ...(options.leaseTtlMs ? { leaseTtlMs: options.leaseTtlMs } : {}),
    ...(options.batchSize ? { batchSize: options.batchSize } : {}),
  };
}

const runtimes = new WeakMap<Connection, IngestRuntime>();

/** Makes `runtime` the one the API and HTTP routes use for this store connection. */
export function registerIngestRuntime(connection: Connection, runtime: IngestRuntime): void {
  runtimes.set(connection, runtime);
}

/**
 * The runtime registered for a connection, or one built from the environment on first use
 * (so GraphQL resolvers, which hold models, reach the same engine as the scheduler).
 */
export function ingestRuntimeFor(connection: Connection, log: IngestLogger = consoleLog): IngestRuntime {
  let runtime = runtimes.get(connection);
  if (!runtime) {
    runtime = createIngestRuntime(connection, { log, fetch: { allowlist: loadIngestSettings().fetchAllowlist } });
    runtimes.set(connection, runtime);
  }
  return runtime;
}

const consoleLog: IngestLogger = {
  info: () => undefined,
  warn: (fields, message) => console.warn(message, fields),
  error: (fields, message) => console.error(message, fields),
};

/** Indexes of the sync engine's collections (locks, syncRuns, quarantine, …). */
export async function ensureIngestIndexes(models: SyncModels): Promise<void> {
  for (const model of [models.Feed, models.SyncRun, models.Quarantine, models.Lease, models.WebhookReceipt, models.FeedFile]) {
    await (model as typeof models.Feed).createCollection().catch((error: unknown) => {
      if ((error as { codeName?: unknown }).codeName !== 'NamespaceExists') throw error;
    });
    await (model as typeof models.Feed).createIndexes();
  }
}
