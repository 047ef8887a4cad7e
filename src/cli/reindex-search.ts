import { createModels, ensureIndexes } from '../db/index.js';
import { ensureSearchTermsCurrent, SEARCH_TERMS_VERSION } from '../search/index.js';
import { loadConfigOrExit, withStore } from './store-session.js';

/**
 * `npm run search:reindex`: back-fills `searchTerms` on every resource of MONGODB_URI, or of
 * the embedded store kept in DATA_DIR when no URI is given (stop the hub first: one process
 * owns a data directory), and records the terms format, so the hub's startup check has
 * nothing left to do. Creates the multikey index if missing. Safe to rerun.
 */
const config = loadConfigOrExit();

await withStore(config, '搜索索引重建失败 / Search reindex failed', async (connection) => {
  const models = createModels(connection);
  await ensureIndexes(models);
  const started = Date.now();
  const { stats } = await ensureSearchTermsCurrent(models, {
    force: true,
    onBatch: ({ scanned, updated }) => console.log(`已扫描 / scanned ${scanned}, 已更新 / updated ${updated}`),
  });
  console.log(`完成 / done: scanned ${stats?.scanned}, updated ${stats?.updated} in ${Date.now() - started} ms (format ${SEARCH_TERMS_VERSION})`);
});
