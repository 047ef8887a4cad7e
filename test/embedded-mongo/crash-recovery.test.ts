import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { startEmbeddedMongo } from '../../src/embedded-mongo/index.js';
import { checksumOf } from './fixtures/crash-docs.js';
import { tempDataDir } from './storage-helpers.js';

const ROUNDS = 12;
const WRITER = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
const external = Boolean(process.env.MONGODB_URI);

/** What the writers were told was durable, over all rounds. */
class Ledger {
  readonly batches = new Map<string, number>();
  readonly versions = new Map<string, number>();
  readonly deleteIntents = new Set<string>();
  readonly deleted = new Set<string>();
  /** Every acknowledgement line, repeats included: how far the writers got. */
  acks = 0;

  record(line: string): void {
    const [kind, what, id, extra] = line.split(' ');
    if (kind === 'ACK') this.acks += 1;
    if (kind === 'ACK' && what === 'insert') this.batches.set(id!, Number(extra));
    if (kind === 'ACK' && what === 'update') this.versions.set(id!, Math.max(this.versions.get(id!) ?? 0, Number(extra)));
    if (kind === 'ACK' && what === 'delete') this.deleted.add(id!);
    if (kind === 'INTENT' && what === 'delete') this.deleteIntents.add(id!);
  }

  get acknowledgedWrites(): number {
    return this.batches.size + this.versions.size + this.deleted.size;
  }
}

/** A small seeded generator, so a failing round can be told apart and reasoned about. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1_664_525 + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Resolves once the writers have acknowledged `count` more writes, or after `capMs`. */
async function acknowledged(ledger: Ledger, count: number, capMs: number, exited: Promise<unknown>): Promise<void> {
  const target = ledger.acks + count;
  const deadline = Date.now() + capMs;
  let done = false;
  void exited.then(() => (done = true));
  while (!done && ledger.acks < target && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
}

/**
 * Runs one writer until a random moment (sometimes before it is even ready), then SIGKILLs it.
 * A writing round is measured in acknowledged writes, not in time, so that a slow or busy
 * machine still does the same work per round (and reaches compactions); a random few
 * milliseconds after that count puts the kill anywhere inside the next write.
 */
async function runAndKill(dataDir: string, round: number, next: () => number, ledger: Ledger): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dataDir, `r${round}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let pending = '';
  let ready!: () => void;
  const readySeen = new Promise<void>((resolve) => (ready = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith('READY ')) ready();
      else ledger.record(line);
    }
  });
  const exited = once(child, 'exit');
  // Two rounds in three die while writing; the others die at a random point of start-up and recovery.
  const whileWriting = round % 3 !== 2;
  const writes = whileWriting ? 20 + Math.floor(next() * 80) : 0;
  const delay = whileWriting ? next() * 40 : next() * 1500;
  let moment = 'start-up';
  if (whileWriting) {
    await Promise.race([readySeen, exited]);
    await acknowledged(ledger, writes, 60_000, exited);
    moment = `writing, after ${writes} acknowledged writes`;
  }
  await new Promise((resolve) => setTimeout(resolve, delay));
  const stillRunning = child.exitCode === null && child.signalCode === null;
  if (stillRunning) child.kill('SIGKILL');
  const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
  if (signal !== 'SIGKILL') throw new Error(`writer exited by itself (code ${code}) in round ${round}:\n${stderr}`);
  return `${moment} +${Math.round(delay)}ms`;
}

async function verify(dataDir: string, ledger: Ledger, context: string): Promise<number> {
  const server = await startEmbeddedMongo({ dataDir, port: 0, host: '127.0.0.1' });
  const client = new MongoClient(server.uri);
  try {
    const docs = await client.db('crash').collection<Record<string, unknown>>('items').find().toArray();
    const byId = new Map(docs.map((doc) => [String(doc._id), doc]));
    for (const doc of docs) {
      expect(doc.sum, `${context}: torn document ${String(doc._id)}`).toBe(checksumOf(doc));
    }
    for (const [batch, size] of ledger.batches) {
      for (let i = 0; i < size; i += 1) {
        const id = `${batch}-${i}`;
        const doc = byId.get(id);
        if (ledger.deleted.has(id)) {
          expect(doc, `${context}: acknowledged delete of ${id} lost`).toBeUndefined();
        } else if (!doc) {
          expect(ledger.deleteIntents.has(id), `${context}: acknowledged insert ${id} lost`).toBe(true);
        } else {
          expect(doc.version as number, `${context}: acknowledged update of ${id} lost`).toBeGreaterThanOrEqual(
            ledger.versions.get(id) ?? 0,
          );
        }
      }
    }
    // A batch whose acknowledgement never came is in the store whole or not at all.
    const unacknowledged = new Map<string, number>();
    for (const doc of docs) {
      const batch = doc.batch as string;
      if (!ledger.batches.has(batch)) unacknowledged.set(batch, (unacknowledged.get(batch) ?? 0) + 1);
    }
    for (const [batch, count] of unacknowledged) {
      const size = byId.get(`${batch}-0`)?.batchSize;
      expect(count, `${context}: unacknowledged batch ${batch} half applied`).toBe(size);
    }
    return docs.length;
  } finally {
    await client.close();
    await server.stop();
  }
}

describe('embedded server: crash recovery', () => {
  it.skipIf(external)(
    external
      ? 'skipped: crash recovery kills the embedded server, and MONGODB_URI points at an external one'
      : `every acknowledged write survives SIGKILL at random points (${ROUNDS} rounds)`,
    async () => {
      const { dir, remove } = await tempDataDir();
      const seed = Date.now() % 1_000_000;
      const next = random(seed);
      const ledger = new Ledger();
      try {
        for (let round = 0; round < ROUNDS; round += 1) {
          const moment = await runAndKill(dir, round, next, ledger);
          await verify(dir, ledger, `seed ${seed}, round ${round} (killed during ${moment})`);
        }
        // The rounds must have done real work, compactions included, for the checks above to mean anything.
        expect(ledger.acknowledgedWrites).toBeGreaterThan(ROUNDS * 10);
        expect(await readdir(dir)).toContain('snapshot.dat');
      } finally {
        await remove();
      }
    },
    300_000,
  );
});
