import { z } from 'zod';
import { LOG_LEVELS, type LogLevel } from '../logging/index.js';
import { hardeningConfigOf, hardeningEnvShape, type HardeningConfig } from './hardening.js';

export { loadHardeningConfig, type HardeningConfig, type OperationLimits, type RateLimitSettings, type TokenBucketSettings } from './hardening.js';

/** Environment variables the hub reads, with defaults; the README's config table mirrors this. */
const envSchema = z.object({
  MONGODB_URI: z
    .string()
    .trim()
    .regex(/^mongodb(\+srv)?:\/\/\S+$/, '应为 mongodb:// 或 mongodb+srv:// 开头的连接串 / must be a mongodb:// or mongodb+srv:// URI')
    .optional(),
  PORT: z.coerce
    .number({ message: '应为整数 / must be an integer' })
    .int('应为整数 / must be an integer')
    .min(0, '应在 0–65535 之间 / must be 0–65535')
    .max(65535, '应在 0–65535 之间 / must be 0–65535')
    .default(4000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().trim().min(1, '不能为空 / must not be empty').default('./data'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { message: `应为 ${LOG_LEVELS.join('|')} 之一 / must be one of ${LOG_LEVELS.join('|')}` }).default('info'),
  /** Seed the demo data when the store is empty (only ever into an empty store). */
  SEED_DEMO_DATA: z
    .enum(['true', 'false', '1', '0'], { message: '应为 true 或 false / must be true or false' })
    .default('true')
    .transform((value) => value === 'true' || value === '1'),
  /** Port of the embedded store when MONGODB_URI is unset; 0 picks a free one. */
  EMBEDDED_MONGO_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** How long graceful shutdown waits for requests in flight. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  ...hardeningEnvShape,
});

export interface HubConfig {
  mongodbUri?: string;
  port: number;
  host: string;
  dataDir: string;
  logLevel: LogLevel;
  seedDemoData: boolean;
  embeddedMongoPort: number;
  shutdownTimeoutMs: number;
  /** Limits, production mode, rate limits, CORS, metrics (src/config/hardening.ts). */
  hardening: HardeningConfig;
}

export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`配置无效 / Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

/** Reads and validates the configuration; throws ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const blankAsUnset = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(blankAsUnset);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        return `${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`;
      }),
    );
  }
  const config = parsed.data;
  return {
    mongodbUri: config.MONGODB_URI,
    port: config.PORT,
    host: config.HOST,
    dataDir: config.DATA_DIR,
    logLevel: config.LOG_LEVEL,
    seedDemoData: config.SEED_DEMO_DATA,
    embeddedMongoPort: config.EMBEDDED_MONGO_PORT,
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT_MS,
    hardening: hardeningConfigOf(config),
  };
}
