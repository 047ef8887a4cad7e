import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { tempDataDir } from './storage-helpers.js';

const CLI = fileURLToPath(new URL('../../src/embedded-mongo/cli.ts', import.meta.url));
// The standalone command is the embedded server's own; there is nothing to run against a real MongoDB.
const external = Boolean(process.env.MONGODB_URI);

async function startCli(dataDir: string): Promise<{ uri: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const match = /listening: (mongodb:\/\/\S+)/.exec(line);
    if (match?.[1]) return { uri: match[1], child };
  }
  throw new Error('CLI exited before logging its URI');
}

async function stopCli(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  if (child.exitCode === null) await once(child, 'exit');
}

describe.skipIf(external)('npm run db (standalone server)', () => {
  it('logs a working URI and keeps acknowledged data across a restart', { timeout: 60_000 }, async () => {
    const { dir: dataDir, remove } = await tempDataDir();
    const first = await startCli(dataDir);
    const client = await MongoClient.connect(first.uri);
    await client.db('cli').collection('notes').insertOne({ text: '重启后仍在 / still here after restart' });
    await client.close();
    await stopCli(first.child);

    const second = await startCli(dataDir);
    const again = await MongoClient.connect(second.uri);
    try {
      const note = await again.db('cli').collection('notes').findOne({}, { projection: { _id: 0 } });
      expect(note).toEqual({ text: '重启后仍在 / still here after restart' });
    } finally {
      await again.close();
      await stopCli(second.child);
      await remove();
    }
  });
});
