import { mkdir, readdir, stat, truncate, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { Durability, JournalOp, RecoveryStats } from './types.js';
import { decodePayload, encodeRecord } from './record-format.js';
import { scanRecords } from './record-reader.js';
import { JournalWriter, syncDirectory } from './journal-writer.js';
import { loadSnapshot, writeSnapshot } from './snapshot-file.js';
import { lockDataDir, type DataDirLock } from './lock-file.js';

const fileDurabilityOptionsSchema = z.object({
  /** The journal must reach this size, and the size of the last snapshot, before compaction pays off. */
  compactionMinBytes: z.number().int().positive().default(64 * 1024 * 1024),
});
export type FileDurabilityOptions = z.input<typeof fileDurabilityOptionsSchema>;

/**
 * Files in a dataDir, by generation G:
 *   snapshot.dat        state as of the start of journal G (absent: generation 0, empty)
 *   journal-G.log ...   ops since, in files G, G+1, … replayed in that order
 *   mongod.lock         the owning process
 * Compaction to G+1 rotates new commits into journal-(G+1) and writes the snapshot; journals
 * older than the snapshot's generation are dead and removed. A crash at any step leaves a
 * snapshot plus the journals that complete it.
 */
const SNAPSHOT_FILE = 'snapshot.dat';
const JOURNAL_FILE = /^journal-(\d{8})\.log$/;

function journalName(generation: number): string {
  return `journal-${String(generation).padStart(8, '0')}.log`;
}

/** Opens the file-backed store of a dataDir, creating the directory, and takes its lock. */
export async function openFileDurability(dataDir: string, options: FileDurabilityOptions = {}): Promise<Durability> {
  const settings = fileDurabilityOptionsSchema.parse(options);
  const dir = resolve(dataDir);
  await mkdir(dir, { recursive: true });
  const lock = await lockDataDir(dir);
  return new FileDurability(dir, lock, settings.compactionMinBytes);
}

class FileDurability implements Durability {
  private writer: JournalWriter | undefined;
  private generation = 0;
  private journalBytes = 0;
  private snapshotBytes = 0;
  private compaction: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly dir: string,
    private readonly lock: DataDirLock,
    private readonly compactionMinBytes: number,
  ) {}

  async recover(apply: (op: JournalOp) => void): Promise<RecoveryStats> {
    this.assertOpen();
    if (this.writer) throw new Error('recover() 只能调用一次 / recover() may run only once');
    await unlink(join(this.dir, `${SNAPSHOT_FILE}.tmp`)).catch(ignoreMissing);
    const snapshot = await this.loadSnapshotIfAny(apply);
    this.generation = snapshot.generation;
    this.snapshotBytes = snapshot.byteLength;

    const journals = await this.listJournals();
    let journalOps = 0;
    let tornTailBytes = 0;
    for (const [index, generation] of journals.entries()) {
      if (generation < this.generation) {
        await unlink(this.journalPath(generation));
        continue;
      }
      const path = this.journalPath(generation);
      const scan = await scanRecords(path, 0, (payload) => {
        journalOps += decodePayload(payload, apply);
      });
      if (scan.validBytes < scan.fileBytes) {
        if (index !== journals.length - 1) throw this.corruptJournal(path, scan.validBytes);
        tornTailBytes = scan.fileBytes - scan.validBytes;
        await truncate(path, scan.validBytes);
      }
      this.journalBytes += scan.validBytes;
      this.generation = generation;
    }
    // A truncation must be durable before new records land after it.
    this.writer = await JournalWriter.open(this.journalPath(this.generation));
    return { snapshotOps: snapshot.opCount, journalOps, tornTailBytes };
  }

  /** Runs synchronously up to the enqueue, so concurrent commits keep their call order. */
  async commit(ops: readonly JournalOp[]): Promise<void> {
    const writer = this.requireWriter();
    if (ops.length === 0) return;
    const record = encodeRecord(ops);
    this.journalBytes += record.length;
    return writer.append(record);
  }

  async compact(dumpState: () => Iterable<JournalOp>): Promise<void> {
    const writer = this.requireWriter();
    if (this.compaction) return this.compaction;
    const generation = this.generation + 1;
    // Both happen before any other code runs: every op committed so far is in the dump, and
    // every later commit lands in the new journal. The dump is encoded and written afterwards,
    // while the server goes on serving.
    const state = dumpState();
    const rotated = writer.rotate(this.journalPath(generation));
    this.generation = generation;
    this.journalBytes = 0;
    this.compaction = (async () => {
      try {
        await rotated;
        this.snapshotBytes = await writeSnapshot(join(this.dir, SNAPSHOT_FILE), generation, state);
        for (const old of await this.listJournals()) {
          if (old < generation) await unlink(this.journalPath(old));
        }
        await syncDirectory(this.dir);
      } finally {
        this.compaction = undefined;
      }
    })();
    return this.compaction;
  }

  wantsCompaction(): boolean {
    return (
      this.writer !== undefined &&
      !this.compaction &&
      this.journalBytes >= Math.max(this.compactionMinBytes, this.snapshotBytes)
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.compaction?.catch(() => undefined);
    await this.writer?.close();
    await this.lock.release();
  }

  private async loadSnapshotIfAny(apply: (op: JournalOp) => void) {
    const path = join(this.dir, SNAPSHOT_FILE);
    const exists = await stat(path).then(
      () => true,
      (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? false : Promise.reject(error)),
    );
    return exists ? loadSnapshot(path, apply) : { generation: 0, opCount: 0, byteLength: 0 };
  }

  private async listJournals(): Promise<number[]> {
    const generations: number[] = [];
    for (const name of await readdir(this.dir)) {
      const match = JOURNAL_FILE.exec(name);
      if (match) generations.push(Number(match[1]));
    }
    return generations.sort((a, b) => a - b);
  }

  private journalPath(generation: number): string {
    return join(this.dir, journalName(generation));
  }

  private requireWriter(): JournalWriter {
    this.assertOpen();
    if (!this.writer) throw new Error('先调用 recover() / Call recover() before writing');
    return this.writer;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`存储已关闭 / Storage for ${this.dir} is closed`);
  }

  private corruptJournal(path: string, validBytes: number): Error {
    return new Error(
      `日志文件中间已损坏 / Journal ${path} is corrupt after byte ${validBytes}, and later journals ` +
        'depend on it; restore the dataDir from a backup',
    );
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
