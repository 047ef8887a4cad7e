import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

/** What `npm start` runs (tsx src/main.ts), with no MONGODB_URI: embedded store, demo data. */
describe('npm start', () => {
  // Long timeout: npm start first builds the web console when its sources changed (a minute or more on a fresh clone).
  it('starts on the embedded store, seeds it, answers a sample query and shuts down on SIGTERM', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'hub-start-'));
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
    delete env.MONGODB_URI;
    const hub = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    hub.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        hub.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          const match = /at (http:\/\/\S+\/graphql)/.exec(output);
          if (match?.[1]) resolveUrl(match[1]);
        });
        hub.once('exit', (code) => reject(new Error(`hub exited with ${code}: ${output}`)));
      });
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ resources(first: 1) { totalCount } departments { code } orgUnits { code } }' }),
      });
      const body = (await response.json()) as { data: { resources: { totalCount: number }; departments: unknown[]; orgUnits: unknown[] } };
      expect(body.data.resources.totalCount).toBeGreaterThanOrEqual(200);
      expect(body.data.departments.length).toBeGreaterThanOrEqual(5);
      expect(body.data.orgUnits).toHaveLength(1);

      hub.kill('SIGTERM');
      const [code] = (await once(hub, 'exit')) as [number | null];
      expect(code, output).toBe(0);
    } finally {
      if (hub.exitCode === null) hub.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 300_000);
});
