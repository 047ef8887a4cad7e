import { ConfigError, loadConfig } from '../config/index.js';
import { connectStore, createModels, ensureIndexes } from '../db/index.js';
import { startEmbeddedMongo, type EmbeddedMongo } from '../embedded-mongo/index.js';
import { EMBEDDED_DB_NAME, withDatabase } from '../hub.js';
import { reindexSearchTerms } from '../search/index.js';

/**
 * `npm run search:reindex`: back-fills `searchTerms` on every resource of MONGODB_URI, or of
 * the embedded store kept in DATA_DIR when no URI is given (stop the hub first: one process
 * owns a data directory). Creates the multikey index if missing. Safe to rerun.
 */
let config;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

let embedded: EmbeddedMongo | undefined;
try {
  let uri = config.mongodbUri;
  if (!uri) {
    embedded = await startEmbeddedMongo({ dataDir: config.dataDir, host: '127.0.0.1', port: 0 });
    uri = withDatabase(embedded.uri, EMBEDDED_DB_NAME);
  }
  const connection = await connectStore(uri);
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
} catch (error) {
  console.error(`搜索索引重建失败 / Search reindex failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await embedded?.stop();
}
