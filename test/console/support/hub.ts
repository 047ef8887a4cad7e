import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/config/index.js';
import { startHub, type RunningHub } from '../../../src/hub.js';
import { createLogger } from '../../../src/logging/index.js';
import { ensureConsoleBuilt } from '../../../src/web-console/index.js';

export interface ConsoleHub {
  hub: RunningHub;
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  stop(): Promise<void>;
}

/**
 * A real hub as `npm start` runs it: the console built (once per test run: the build is skipped
 * when dist/console matches the sources, and a lock keeps parallel files from building twice),
 * the embedded store in a fresh directory, the demo data and demo users seeded, and loopback on
 * the fetch allowlist (a demo hub allows it, so feeds can read the tests' local servers).
 */
export async function startConsoleHub(): Promise<ConsoleHub> {
  await ensureConsoleBuilt({ info: (message) => process.stderr.write(`[console e2e] ${message}\n`) });
  const dataDir = await mkdtemp(join(tmpdir(), 'gx-console-e2e-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, SEED_DEMO_DATA: 'true', LOG_LEVEL: 'error' });
  const hub = await startHub(config, createLogger('error'));
  return {
    hub,
    origin: `http://127.0.0.1:${hub.port}`,
    stop: async () => {
      await hub.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
