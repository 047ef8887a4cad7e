import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is src/web-console/build.ts). */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The console's sources (a Vite app). */
export const CONSOLE_SOURCE_DIR = join(ROOT, 'console');
/** Where `vite build` writes the console (git-ignored; the hub serves it at /console). */
export const CONSOLE_DIST_DIR = join(ROOT, 'dist', 'console');
/** Beside the build: the hash of the sources it was built from. */
const HASH_FILE = join(CONSOLE_DIST_DIR, '.source-hash');
const LOCK_DIR = join(ROOT, 'dist', '.console-build.lock');
const VITE_BIN = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
/** Files outside console/ that go into the bundle: the installed versions, and plain data shared with the hub. */
const SHARED_SOURCES = ['package-lock.json', 'src/domain/reports/sources.ts'];
/** Longest wait for another process's build. */
const LOCK_WAIT_MS = 10 * 60_000;

export interface BuildLogger {
  info(message: string): void;
}

/** Hash of everything the bundle depends on: the console's files and the installed package versions. */
export async function consoleSourceHash(): Promise<string> {
  const hash = createHash('sha256');
  const files = [...(await listFiles(CONSOLE_SOURCE_DIR)), ...SHARED_SOURCES.map((path) => join(ROOT, path))].sort();
  for (const file of files) {
    hash.update(relative(ROOT, file)).update('\0').update(await readFile(file)).update('\0');
  }
  return hash.digest('hex');
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : listFiles(path);
      return entry.isFile() ? [path] : [];
    }),
  );
  return nested.flat();
}

/** True when dist/console holds a build of the current sources. */
export async function consoleIsUpToDate(sourceHash?: string): Promise<boolean> {
  const built = await readFile(HASH_FILE, 'utf8').catch(() => null);
  return built !== null && built.trim() === (sourceHash ?? (await consoleSourceHash()));
}

/** Builds the console with Vite (in a child process) and records the sources' hash beside it. */
export async function buildConsole(log?: BuildLogger): Promise<void> {
  await withBuildLock(async () => {
    await runBuild(log);
  });
}

/**
 * Builds the console only when its sources changed since the last build, so a second
 * `npm start` (or a second e2e file) starts at once. Returns whether it built.
 */
export async function ensureConsoleBuilt(log?: BuildLogger): Promise<boolean> {
  if (await consoleIsUpToDate()) return false;
  return withBuildLock(async () => {
    // Another process may have built it while this one waited for the lock.
    if (await consoleIsUpToDate()) return false;
    await runBuild(log);
    return true;
  });
}

async function runBuild(log?: BuildLogger): Promise<void> {
  if (!existsSync(VITE_BIN)) {
    throw new Error('无法构建控制台：未安装 vite（请运行 npm install）/ Cannot build the console: vite is not installed (run npm install)');
  }
  const sourceHash = await consoleSourceHash();
  log?.info('building the web console (vite build)…');
  const started = Date.now();
  // Built beside the served copy and swapped in, so a running hub never serves a half-built console.
  const staging = `${CONSOLE_DIST_DIR}.building-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [VITE_BIN, 'build', '--config', join(CONSOLE_SOURCE_DIR, 'vite.config.ts'), '--outDir', staging], {
        cwd: ROOT,
        // Always the production bundle, also when started from a test runner (NODE_ENV=test).
        env: { ...process.env, NODE_ENV: 'production' },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        if (code === 0) resolve();
        else reject(new Error(`控制台构建失败 / Console build failed (vite exited with ${signal ?? code})`));
      });
    });
    await writeFile(join(staging, '.source-hash'), sourceHash);
    await rm(CONSOLE_DIST_DIR, { recursive: true, force: true });
    await rename(staging, CONSOLE_DIST_DIR);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  log?.info(`web console built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** One build at a time across processes (parallel test files, `npm start` while tests run). */
async function withBuildLock<T>(work: () => Promise<T>): Promise<T> {
  await mkdir(join(ROOT, 'dist'), { recursive: true });
  const started = Date.now();
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      await writeFile(join(LOCK_DIR, 'owner'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await lockIsAbandoned()) await rm(LOCK_DIR, { recursive: true, force: true });
      else if (Date.now() - started > LOCK_WAIT_MS) throw new Error(`控制台构建锁等待超时 / Timed out waiting for the console build lock (${LOCK_DIR})`);
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await work();
  } finally {
    await rm(LOCK_DIR, { recursive: true, force: true });
  }
}

/** The lock's owner process is gone (killed mid-build), so nobody will release it. */
async function lockIsAbandoned(): Promise<boolean> {
  const owner = Number(await readFile(join(LOCK_DIR, 'owner'), 'utf8').catch(() => ''));
  // No owner file yet: the owner is between mkdir and writeFile.
  if (!Number.isInteger(owner) || owner <= 0) return false;
  try {
    process.kill(owner, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
