import { hostname } from 'node:os';
import { join } from 'node:path';
import { link, open, readFile, unlink } from 'node:fs/promises';
import { z } from 'zod';

export const LOCK_FILE_NAME = 'mongod.lock';

const lockOwnerSchema = z.object({ pid: z.number().int().positive(), host: z.string() });
type LockOwner = z.infer<typeof lockOwnerSchema>;

export interface DataDirLock {
  release(): Promise<void>;
}

/**
 * Takes the dataDir's lock file. A lock left by a dead process on this
 * host is taken over; any other holder (live, on another host, or unreadable) is refused.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const path = join(dataDir, LOCK_FILE_NAME);
  const self: LockOwner = { pid: process.pid, host: hostname() };
  if (!(await tryCreate(path, self))) {
    const holder = await readOwner(path);
    if (holder && !isStale(holder)) throw lockedError(dataDir, holder);
    if (!holder) throw unreadableLockError(dataDir, path);
    await unlink(path).catch(ignoreMissing);
    if (!(await tryCreate(path, self))) throw lockedError(dataDir, (await readOwner(path)) ?? holder);
  }
  // Two processes taking over the same stale lock can both get past unlink; the read-back
  // makes the loser notice instead of both believing they hold the dataDir.
  const written = await readOwner(path);
  if (!written || written.pid !== self.pid || written.host !== self.host) {
    throw lockedError(dataDir, written ?? self);
  }
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      const owner = await readOwner(path);
      if (owner?.pid === self.pid && owner.host === self.host) await unlink(path).catch(ignoreMissing);
    },
  };
}

/**
 * Writes the owner to a private file, then hard-links it into place: link fails if the lock
 * exists, and a lock file is never seen half-written, even after a kill mid-creation.
 */
async function tryCreate(path: string, owner: LockOwner): Promise<boolean> {
  const draft = `${path}.${owner.pid}`;
  const handle = await open(draft, 'w');
  try {
    await handle.writeFile(JSON.stringify(owner));
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(draft).catch(ignoreMissing);
  }
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
  try {
    const parsed = lockOwnerSchema.safeParse(JSON.parse(await readFile(path, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function isStale(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    // EPERM means the pid exists but belongs to another user: still alive.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

function lockedError(dataDir: string, holder: LockOwner): Error {
  return new Error(
    `数据目录已被另一个服务器进程占用 / Data directory ${dataDir} is locked by another server ` +
      `(pid ${holder.pid} on ${holder.host}); stop that process or choose another dataDir`,
  );
}

function unreadableLockError(dataDir: string, path: string): Error {
  return new Error(
    `数据目录的锁文件无法读取 / Data directory ${dataDir} has an unreadable lock file ${path}; ` +
      'if no server is using this directory, delete the lock file',
  );
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
