import cron, { type ScheduledTask } from 'node-cron';
import type { Models } from '../../db/index.js';
import { ingestModels } from '../../db/models/ingest.js';
import { reportModels, type ReportDefinitionDoc } from '../../db/models/report.js';
import { acquireLease, releaseLease } from '../../ingest/lease.js';
import { takeSnapshot } from './saved.js';

export const REPORT_TIMEZONE = 'Asia/Shanghai';

interface SnapshotLog {
  error(details: Record<string, unknown>, message: string): void;
}

export interface ReportScheduler {
  /** Re-reads the saved reports' schedules (every instance calls it on start and periodically). */
  refresh(): Promise<void>;
  /** Takes the snapshot of one firing, unless another instance already took this slot. */
  fire(report: ReportDefinitionDoc, due: Date): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * node-cron per scheduled report, in Asia/Shanghai. Every instance schedules every report; the
 * report's lease with the firing's slot key (the same lease documents feeds use) lets exactly
 * one instance take each snapshot.
 */
export function createReportScheduler(models: Models, log: SnapshotLog, refreshMs = 60_000): ReportScheduler {
  const { ReportDefinition } = reportModels(models.Resource.db);
  const leases = ingestModels(models.Resource.db);
  const tasks = new Map<string, { schedule: string; task: ScheduledTask }>();
  let timer: NodeJS.Timeout | undefined;

  const fire = async (report: ReportDefinitionDoc, due: Date): Promise<boolean> => {
    const slot = `${report._id.toHexString()}@${Math.floor(due.getTime() / 1000)}`;
    const lease = await acquireLease(leases, { feedId: report._id, namespace: 'report', slot, ttlMs: 5 * 60_000 });
    if (!lease) return false;
    try {
      await takeSnapshot(models, report, slot, due);
    } finally {
      // The lease document keeps lastSlot, so this slot is not taken again.
      await releaseLease(leases, lease);
    }
    return true;
  };

  const refresh = async (): Promise<void> => {
    const reports = await ReportDefinition.find({ schedule: { $nin: [null, ''] } }).lean();
    const wanted = new Set<string>();
    for (const report of reports) {
      const id = report._id.toHexString();
      wanted.add(id);
      if (tasks.get(id)?.schedule === report.schedule) continue;
      await tasks.get(id)?.task.destroy();
      const task = cron.schedule(
        report.schedule!,
        (context) => {
          fire(report, context.date).catch((error: unknown) => log.error({ err: error, report: id }, 'report snapshot failed'));
        },
        { timezone: REPORT_TIMEZONE, name: `report:${id}` },
      );
      tasks.set(id, { schedule: report.schedule!, task });
    }
    for (const [id, planned] of tasks) {
      if (wanted.has(id)) continue;
      await planned.task.destroy();
      tasks.delete(id);
    }
  };

  return {
    refresh: async () => {
      await refresh();
      timer ??= setInterval(() => void refresh().catch((error: unknown) => log.error({ err: error }, 'report schedules refresh failed')), refreshMs);
      timer.unref();
    },
    fire,
    stop: async () => {
      if (timer) clearInterval(timer);
      for (const planned of tasks.values()) await planned.task.destroy();
      tasks.clear();
    },
  };
}
