import { z } from 'zod';

/** Environment the sync engine reads (documented in docs/ingest.md). */
const settingsSchema = z.object({
  /** Comma-separated hosts, addresses or CIDRs feeds may reach although they are not public. */
  HUB_FETCH_ALLOWLIST: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean)),
  /** Multipart uploads to feeds; off by default in production until authentication (issue 5) guards them. */
  HUB_UPLOADS_ENABLED: z.enum(['true', 'false', '1', '0']).optional(),
  /** Run feed schedules in this instance (every instance may; leases make each firing run once). */
  HUB_SCHEDULER_ENABLED: z.enum(['true', 'false', '1', '0']).default('true'),
  NODE_ENV: z.string().optional(),
});

export interface IngestSettings {
  fetchAllowlist: string[];
  uploadsEnabled: boolean;
  schedulerEnabled: boolean;
}

const truthy = (value: string): boolean => value === 'true' || value === '1';

export function loadIngestSettings(env: NodeJS.ProcessEnv = process.env): IngestSettings {
  const parsed = settingsSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')));
  if (!parsed.success) throw new Error(`同步设置无效 / Invalid ingest settings: ${z.prettifyError(parsed.error)}`);
  const settings = parsed.data;
  return {
    fetchAllowlist: settings.HUB_FETCH_ALLOWLIST,
    uploadsEnabled: settings.HUB_UPLOADS_ENABLED ? truthy(settings.HUB_UPLOADS_ENABLED) : settings.NODE_ENV !== 'production',
    schedulerEnabled: truthy(settings.HUB_SCHEDULER_ENABLED),
  };
}
