import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { openFileDurability } from '../../src/embedded-mongo/storage/index.js';
import { tempDataDir } from './storage-helpers.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDataDir()));
afterEach(() => remove());

const lockPath = () => join(dir, 'mongod.lock');

/** A pid that certainly belonged to a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await once(child, 'exit');
  return child.pid!;
}

describe('file durability: dataDir lock', () => {
  it('refuses a second server on the same dataDir, naming the dir and the holder', async () => {
    const first = await openFileDurability(dir);
    const second = openFileDurability(dir);
    await expect(second).rejects.toThrow(dir);
    await expect(second).rejects.toThrow(`pid ${process.pid}`);
    await first.close();
    const third = await openFileDurability(dir);
    await third.close();
  });

  it('refuses a lock held by another live process', async () => {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      await writeFile(lockPath(), JSON.stringify({ pid: holder.pid, host: hostname() }));
      await expect(openFileDurability(dir)).rejects.toThrow(`pid ${holder.pid}`);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('takes over a stale lock left by a dead process', async () => {
    await writeFile(lockPath(), JSON.stringify({ pid: await deadPid(), host: hostname() }));
    const store = await openFileDurability(dir);
    expect(JSON.parse(await readFile(lockPath(), 'utf8'))).toEqual({ pid: process.pid, host: hostname() });
    await store.close();
  });

  it('refuses an unreadable lock file instead of guessing', async () => {
    await writeFile(lockPath(), 'garbage');
    await expect(openFileDurability(dir)).rejects.toThrow(/unreadable lock file/);
  });

  it('removes its lock on close', async () => {
    const store = await openFileDurability(dir);
    await store.close();
    await expect(readFile(lockPath())).rejects.toThrow(/ENOENT/);
  });
});
