import type { Connection } from 'mongoose';
import type { IngestLogger, IngestRuntime } from './engine.js';
import { createIngestRuntime, ensureIngestIndexes, registerIngestRuntime } from './index.js';
import { createScheduler, type Scheduler } from './scheduler.js';
import { loadIngestSettings, type IngestSettings } from './settings.js';

export interface RunningIngest {
  runtime: IngestRuntime;
  settings: IngestSettings;
  /** Stops the scheduler and waits for its runs (they are aborted and recorded FAILED). */
  stop(): Promise<void>;
}

/**
 * The sync engine inside a hub process: one runtime for this store connection (the API and
 * HTTP routes use it too), the sync collections' indexes, and the feed scheduler unless
 * HUB_SCHEDULER_ENABLED=false.
 */
export async function startIngest(connection: Connection, log: IngestLogger, env: NodeJS.ProcessEnv = process.env): Promise<RunningIngest> {
  const settings = loadIngestSettings(env);
  const runtime = createIngestRuntime(connection, { log, fetch: { allowlist: settings.fetchAllowlist } });
  registerIngestRuntime(connection, runtime);
  await ensureIngestIndexes(runtime.models);
  let scheduler: Scheduler | null = null;
  if (settings.schedulerEnabled) {
    scheduler = createScheduler(runtime);
    await scheduler.start();
  }
  return { runtime, settings, stop: async () => scheduler?.stop() };
}
