import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

interface Settle {
  resolve: () => void;
  reject: (error: Error) => void;
}
type RecordItem = Settle & { kind: 'record'; record: Buffer };
type RotateItem = Settle & { kind: 'rotate'; path: string };
type Pending = RecordItem | RotateItem;

/**
 * Appends records to the current journal file with group commit: every record queued while
 * one write+fsync is in flight goes out together in the next one, so N concurrent commits
 * cost one fsync, not N. Rotation to a new file is queued like a record, which puts a clean
 * boundary between the records before it and after it.
 *
 * After a failed write or fsync the file's content is unknown (and a retried fsync may lie),
 * so the writer refuses everything from then on; restart recovers from what is on disk.
 */
export class JournalWriter {
  private queue: Pending[] = [];
  private draining = false;
  private failure: Error | undefined;
  private idle: Array<() => void> = [];

  private constructor(private handle: FileHandle) {}

  /** Opens (creating if needed) a journal for appending, with its directory entry durable. */
  static async open(path: string): Promise<JournalWriter> {
    return new JournalWriter(await openForAppend(path));
  }

  append(record: Buffer): Promise<void> {
    return this.enqueue((resolve, reject) => ({ kind: 'record', record, resolve, reject }));
  }

  /** Resolves once every earlier record is durable and later ones go to `path`. */
  rotate(path: string): Promise<void> {
    return this.enqueue((resolve, reject) => ({ kind: 'rotate', path, resolve, reject }));
  }

  /** Waits for queued records to be written, then closes the file. */
  async close(): Promise<void> {
    if (this.draining) await new Promise<void>((resolve) => this.idle.push(resolve));
    await this.handle.close();
  }

  private enqueue(make: (resolve: () => void, reject: (error: Error) => void) => Pending): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const done = new Promise<void>((resolve, reject) => this.queue.push(make(resolve, reject)));
    if (!this.draining) void this.drain();
    return done;
  }

  private async drain(): Promise<void> {
    this.draining = true;
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.kind === 'rotate') {
        this.queue.shift();
        await this.settle([head], () => this.switchTo(head.path));
      } else {
        const batch = this.takeRecords();
        await this.settle(batch, () => this.writeDurably(batch));
      }
    }
    this.draining = false;
    for (const resolve of this.idle.splice(0)) resolve();
  }

  private async settle(batch: readonly Pending[], work: () => Promise<void>): Promise<void> {
    try {
      await work();
      for (const item of batch) item.resolve();
    } catch (error) {
      this.fail(error as Error, batch);
    }
  }

  private takeRecords(): RecordItem[] {
    const end = this.queue.findIndex((item) => item.kind === 'rotate');
    return this.queue.splice(0, end === -1 ? this.queue.length : end) as RecordItem[];
  }

  private async writeDurably(batch: readonly RecordItem[]): Promise<void> {
    const records = batch.map((item) => item.record);
    const total = records.reduce((sum, record) => sum + record.length, 0);
    const { bytesWritten } = await this.handle.writev(records);
    if (bytesWritten !== total) throw new Error(`short journal write: ${bytesWritten} of ${total} bytes`);
    await this.handle.datasync();
  }

  private async switchTo(path: string): Promise<void> {
    const next = await openForAppend(path);
    const previous = this.handle;
    this.handle = next;
    await previous.close();
  }

  private fail(cause: Error, batch: readonly Pending[]): void {
    this.failure = new Error(
      `日志写入失败，请重启服务器以从磁盘恢复 / Journal write failed; restart the server to recover from disk: ${cause.message}`,
      { cause },
    );
    for (const item of [...batch, ...this.queue.splice(0)]) item.reject(this.failure);
  }
}

async function openForAppend(path: string): Promise<FileHandle> {
  const handle = await open(path, 'a');
  // Makes a preceding truncation durable before anything is appended after it.
  await handle.datasync();
  await syncDirectory(dirname(path));
  return handle;
}

/** Makes a created, renamed or deleted directory entry durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
