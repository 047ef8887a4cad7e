import { z } from 'zod';
import { connectStore, createModels, ensureIndexes } from '../db/index.js';
import { reindexSearchTerms } from '../search/index.js';

/**
 * `npm run search:reindex`: back-fills `searchTerms` on every resource of the store at
 * MONGODB_URI (and creates the multikey index if it is missing). Safe to rerun.
 */

const envSchema = z.object({
  MONGODB_URI: z.string().url('MONGODB_URI 必须是连接字符串 / MONGODB_URI must be a connection string'),
});

async function main(): Promise<void> {
  const env = envSchema.safeParse(process.env);
  if (!env.success) {
    console.error(`配置错误 / Configuration error: ${z.prettifyError(env.error)}`);
    process.exitCode = 2;
    return;
  }
  const connection = await connectStore(env.data.MONGODB_URI);
  try {
    const models = createModels(connection);
    await ensureIndexes(models);
    const started = Date.now();
    const stats = await reindexSearchTerms(models.Resource, {
      onBatch: ({ scanned, updated }) => console.log(`已扫描 / scanned ${scanned}, 已更新 / updated ${updated}`),
    });
    console.log(`完成 / done: scanned ${stats.scanned}, updated ${stats.updated} in ${Date.now() - started} ms`);
  } finally {
    await connection.close();
  }
}

await main();
