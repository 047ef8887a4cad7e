import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyFile, readdir, rm, writeFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { openFileDurability, type JournalOp } from '../../src/embedded-mongo/storage/index.js';
import { OpState, journalFiles, openAndRecover, put, tempDataDir } from './storage-helpers.js';

let dir: string;
let remove: () => Promise<void>;
beforeEach(async () => ({ dir, remove } = await tempDataDir()));
afterEach(() => remove());

function people(from: number, to: number): JournalOp[] {
  return Array.from({ length: to - from }, (_, i) => put('people', { _id: from + i, name: `p${from + i}` }));
}

/** Commits a batch the way the server does: applied to memory, then journaled. */
async function write(store: Awaited<ReturnType<typeof openAndRecover>>['store'], state: OpState, ops: JournalOp[]) {
  ops.forEach((op) => state.apply(op));
  await store.commit(ops);
}

async function recoveredState(): Promise<{ state: OpState; stats: Awaited<ReturnType<typeof openAndRecover>>['stats'] }> {
  const { store, ops, stats } = await openAndRecover(dir);
  await store.close();
  const state = new OpState();
  ops.forEach((op) => state.apply(op));
  return { state, stats };
}

describe('file durability: compaction', () => {
  it('rebuilds the same state from snapshot plus the newer journal, and drops old journals', async () => {
    const state = new OpState();
    const { store } = await openAndRecover(dir);
    await write(store, state, [{ op: 'createCollection', db: 'app', coll: 'people' }, ...people(0, 500)]);
    await write(store, state, [{ op: 'delete', db: 'app', coll: 'people', id: 7 }, put('people', { _id: 8, name: 'changed' })]);
    await store.compact(() => state.dump());
    await write(store, state, [...people(500, 600), { op: 'delete', db: 'app', coll: 'people', id: 9 }]);
    await store.close();

    expect(await journalFiles(dir)).toEqual(['journal-00000001.log']);
    const { state: recovered, stats } = await recoveredState();
    expect(recovered.toJSON()).toEqual(state.toJSON());
    expect(stats).toEqual({ snapshotOps: 1 + 499, journalOps: 101, tornTailBytes: 0 });
  });

  it('puts commits made during a compaction into the new journal, none lost or doubled', async () => {
    const state = new OpState();
    const { store } = await openAndRecover(dir);
    await write(store, state, people(0, 100));
    const inFlight = write(store, state, people(100, 200));
    const compaction = store.compact(() => state.dump());
    const during = Array.from({ length: 20 }, (_, i) => write(store, state, people(200 + i * 10, 210 + i * 10)));
    await Promise.all([inFlight, compaction, ...during]);
    await store.close();
    const { state: recovered, stats } = await recoveredState();
    expect(recovered.toJSON()).toEqual(state.toJSON());
    expect(stats.snapshotOps + stats.journalOps).toBe(400 + 1);
  });

  it('survives repeated compactions and reopenings', async () => {
    const state = new OpState();
    for (let round = 0; round < 4; round += 1) {
      const { store } = await openAndRecover(dir);
      await write(store, state, people(round * 50, round * 50 + 80));
      await store.compact(() => state.dump());
      await write(store, state, [{ op: 'delete', db: 'app', coll: 'people', id: round }]);
      await store.close();
      expect((await recoveredState()).state.toJSON()).toEqual(state.toJSON());
    }
  });

  it('recovers from a crash before the snapshot rename: old journal, then the new one', async () => {
    const state = new OpState();
    const { store } = await openAndRecover(dir);
    await write(store, state, people(0, 50));
    await store.close();
    await copyFile(join(dir, 'journal-00000000.log'), join(dir, 'saved.log'));

    const reopened = await openAndRecover(dir);
    await reopened.store.compact(() => state.dump());
    await write(reopened.store, state, people(50, 60));
    await reopened.store.close();
    // Roll back to just before the rename: no snapshot, journal 0 still there, plus a half temp file.
    await rm(join(dir, 'snapshot.dat'));
    await copyFile(join(dir, 'saved.log'), join(dir, 'journal-00000000.log'));
    await rm(join(dir, 'saved.log'));
    await writeFile(join(dir, 'snapshot.dat.tmp'), 'half a snapshot');

    const { state: recovered, stats } = await recoveredState();
    expect(recovered.toJSON()).toEqual(state.toJSON());
    expect(stats).toEqual({ snapshotOps: 0, journalOps: 60, tornTailBytes: 0 });
    expect((await readdir(dir)).sort()).toEqual(['journal-00000000.log', 'journal-00000001.log']);
  });

  it('ignores and removes a journal older than the snapshot (crash before its deletion)', async () => {
    const state = new OpState();
    const { store } = await openAndRecover(dir);
    await write(store, state, people(0, 30));
    await store.close();
    await copyFile(join(dir, 'journal-00000000.log'), join(dir, 'saved.log'));
    const reopened = await openAndRecover(dir);
    await write(reopened.store, state, [{ op: 'delete', db: 'app', coll: 'people', id: 0 }]);
    await reopened.store.compact(() => state.dump());
    await reopened.store.close();
    await copyFile(join(dir, 'saved.log'), join(dir, 'journal-00000000.log'));
    await rm(join(dir, 'saved.log'));

    const { state: recovered } = await recoveredState();
    expect(recovered.toJSON()).toEqual(state.toJSON());
    expect(await journalFiles(dir)).toEqual(['journal-00000001.log']);
  });

  it('reports a damaged snapshot rather than loading part of it', async () => {
    const state = new OpState();
    const { store } = await openAndRecover(dir);
    await write(store, state, people(0, 100));
    await store.compact(() => state.dump());
    await store.close();
    const handle = await open(join(dir, 'snapshot.dat'), 'r+');
    const { size } = await handle.stat();
    await handle.truncate(size - 100);
    await handle.close();
    await expect(openAndRecover(dir)).rejects.toThrow(/Snapshot .* is corrupt/);
  });

  it('asks for compaction once the journal outgrows the threshold and the snapshot', async () => {
    const store = await openFileDurability(dir, { compactionMinBytes: 10_000 });
    const state = new OpState();
    await store.recover(() => undefined);
    expect(store.wantsCompaction()).toBe(false);
    await write(store, state, people(0, 400));
    expect(store.wantsCompaction()).toBe(true);
    await store.compact(() => state.dump());
    expect(store.wantsCompaction()).toBe(false);
    await write(store, state, people(400, 450));
    expect(store.wantsCompaction()).toBe(false);
    await store.close();
  });
});
