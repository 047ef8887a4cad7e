/**
 * A second hub process for the crash test: runs one feed with a short lease and small
 * batches, so the parent can SIGKILL it mid-run. Usage: sync-child.ts <mongo uri> <feed id>
 */
import { Types } from 'mongoose';
import { connectStore } from '../../src/db/connection.js';
import { createIngestRuntime, runFeed } from '../../src/ingest/index.js';

const [uri, feedId] = process.argv.slice(2);
if (!uri || !feedId) throw new Error('usage: sync-child.ts <mongo uri> <feed id>');
const connection = await connectStore(uri);
const runtime = createIngestRuntime(connection, {
  log: { info() {}, warn() {}, error() {} },
  fetch: { allowlist: ['127.0.0.1'], retries: 0, timeoutMs: 30_000 },
  // Long enough that the parent sees the dead run's lease still held even on a busy machine.
  leaseTtlMs: 6_000,
  batchSize: 25,
});
process.stdout.write('started\n');
await runFeed(runtime, new Types.ObjectId(feedId), { trigger: 'CLI' });
await connection.close();
