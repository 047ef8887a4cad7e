import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface BenchStore {
  uri: string;
  /** The embedded server's process (absent for MONGODB_URI), e.g. to read its CPU time. */
  pid?: number;
  stop(): Promise<void>;
}

/**
 * The store a benchmark measures against: MONGODB_URI when set, otherwise the embedded
 * server in its own process on a fresh dataDir, as it runs beside the hub (so the benchmark's
 * own CPU use does not slow the server down). `nodeOptions` go to the server's node (a heap size).
 */
export async function startBenchStore(prefix: string, nodeOptions: string[] = []): Promise<BenchStore> {
  if (process.env.MONGODB_URI) return { uri: process.env.MONGODB_URI, stop: async () => {} };
  const dataDir = await mkdtemp(join(tmpdir(), `${prefix}-`));
  const script = fileURLToPath(new URL('./embedded-server-process.ts', import.meta.url));
  const child = spawn(process.execPath, [...nodeOptions, '--import', 'tsx', script, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
  const { uri } = JSON.parse(line) as { uri: string };
  return {
    uri,
    pid: child.pid,
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
