import cron, { type ScheduledTask } from 'node-cron';
import type { Types } from 'mongoose';
import { DEFAULT_FEED_TIMEZONE } from '../db/models/feed.js';
import { runFeed, type IngestRuntime } from './engine.js';
import { reapAbandonedRuns } from './lease.js';

export interface SchedulerOptions {
  /** How often feeds are re-read (schedules changed by other instances) and dead runs reaped. */
  refreshMs?: number;
}

export interface Scheduler {
  start(): Promise<void>;
  /** Stops firing, aborts running syncs (they are recorded FAILED and converge next time) and waits for them. */
  stop(): Promise<void>;
  /** Re-reads the feeds' schedules now (after a feed was registered, changed or paused). */
  refresh(): Promise<void>;
}

interface PlannedTask {
  signature: string;
  task: ScheduledTask;
}

export function isValidCron(expression: string): boolean {
  return cron.validate(expression);
}

/** A scheduled firing's identity, the same on every instance: the feed and the second it is due. */
export function slotKey(feedId: Types.ObjectId, due: Date): string {
  return `${feedId.toHexString()}@${Math.floor(due.getTime() / 1000)}`;
}

/**
 * node-cron per feed schedule (Asia/Shanghai unless the feed says otherwise). Every instance
 * schedules every feed; the feed's lease and its slot key make each firing run once.
 */
export function createScheduler(runtime: IngestRuntime, options: SchedulerOptions = {}): Scheduler {
  const tasks = new Map<string, PlannedTask>();
  const inFlight = new Set<Promise<unknown>>();
  const shutdown = new AbortController();
  let timer: NodeJS.Timeout | undefined;

  const fire = (feedId: Types.ObjectId, due: Date): void => {
    if (shutdown.signal.aborted) return;
    const run = runFeed(runtime, feedId, { trigger: 'SCHEDULE', slot: slotKey(feedId, due), signal: shutdown.signal })
      .catch((error: unknown) => runtime.log.error({ err: error, feed: feedId.toHexString() }, 'scheduled sync failed to start'))
      .finally(() => inFlight.delete(run));
    inFlight.add(run);
  };

  const refresh = async (): Promise<void> => {
    const feeds = await runtime.models.Feed.find(
      { status: 'ACTIVE', 'schedule.cron': { $nin: [null, ''] } },
      { schedule: 1 },
    ).lean();
    const wanted = new Set<string>();
    for (const feed of feeds) {
      const id = feed._id.toHexString();
      const expression = feed.schedule.cron ?? '';
      const timezone = feed.schedule.timezone || DEFAULT_FEED_TIMEZONE;
      const signature = `${expression}|${timezone}`;
      wanted.add(id);
      const current = tasks.get(id);
      if (current?.signature === signature) continue;
      await current?.task.destroy();
      if (!isValidCron(expression)) {
        runtime.log.warn({ feed: id, cron: expression }, 'feed schedule is not a valid cron expression');
        tasks.delete(id);
        continue;
      }
      const task = cron.schedule(expression, (context) => fire(feed._id, context.date), {
        timezone,
        name: `feed:${id}`,
        noOverlap: true,
      });
      tasks.set(id, { signature, task });
    }
    for (const [id, planned] of tasks) {
      if (!wanted.has(id)) {
        await planned.task.destroy();
        tasks.delete(id);
      }
    }
  };

  const tick = async (): Promise<void> => {
    try {
      await reapAbandonedRuns(runtime.models);
      await refresh();
    } catch (error) {
      runtime.log.warn({ err: error }, 'scheduler refresh failed');
    }
  };

  return {
    async start() {
      await tick();
      timer = setInterval(() => void tick(), options.refreshMs ?? 30_000);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      for (const planned of tasks.values()) await planned.task.destroy();
      tasks.clear();
      shutdown.abort(new Error('hub shutting down'));
      await Promise.allSettled([...inFlight]);
    },
    refresh,
  };
}
