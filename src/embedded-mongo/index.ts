import { z } from 'zod';
import { EmbeddedServer } from './server.js';
import { openFileDurability } from './storage/index.js';

export { ADVERTISED_VERSION } from './commands/admin.js';

const optionsSchema = z.object({
  /** Directory for the journal and snapshots; omitted, the server keeps everything in memory. */
  dataDir: z.string().min(1).optional(),
  /** TCP port; 0 picks a free one (the returned `port` and `uri` carry the actual one). */
  port: z.number().int().min(0).max(65_535).default(0),
  host: z.string().min(1).default('127.0.0.1'),
  /** Replica set name advertised to drivers (the server is its only member). */
  replicaSetName: z.string().min(1).default('gongxiang'),
  /** Journal size that triggers compaction into a snapshot (default 64 MiB); tests lower it to exercise compaction. */
  compactionMinBytes: z.number().int().positive().optional(),
});

export type EmbeddedMongoOptions = z.input<typeof optionsSchema>;

export interface EmbeddedMongo {
  /** A connection string that drivers can use as is, e.g. `mongodb://127.0.0.1:27017/?replicaSet=gongxiang`. */
  uri: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts the embedded MongoDB-compatible server. It presents itself as the primary of a
 * one-member replica set so that sessions, retryable writes and transactions work.
 */
export async function startEmbeddedMongo(options: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    throw new Error(`嵌入式 MongoDB 选项无效 / Invalid embedded MongoDB options: ${z.prettifyError(parsed.error)}`);
  }
  const { dataDir, port, host, replicaSetName, compactionMinBytes } = parsed.data;
  const durability = dataDir ? await openFileDurability(dataDir, { compactionMinBytes }) : undefined;
  const server = new EmbeddedServer({ host, port, setName: replicaSetName, durability });
  try {
    await server.recover();
    const info = await server.listen();
    const actualPort = Number(info.address.slice(info.address.lastIndexOf(':') + 1));
    return {
      uri: `mongodb://${info.address}/?replicaSet=${encodeURIComponent(replicaSetName)}`,
      port: actualPort,
      stop: () => server.stop(),
    };
  } catch (error) {
    await durability?.close();
    throw error;
  }
}
