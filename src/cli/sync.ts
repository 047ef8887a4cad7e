import { createModels, ensureIndexes } from '../db/index.js';
import { FeedService } from '../domain/feeds/index.js';
import { createIngestRuntime, ensureIngestIndexes, loadIngestSettings } from '../ingest/index.js';
import { createLogger } from '../logging/index.js';
import { loadConfigOrExit, withStore } from './store-session.js';

/**
 * `npm run sync -- <feed name or id>`: runs one feed now, on MONGODB_URI or on the embedded
 * store in DATA_DIR (stop the hub first: one process owns a data directory). Prints the run
 * and exits 0 when it succeeded or was partial, 1 otherwise.
 */
const feedKey = process.argv.slice(2).join(' ').trim();
if (!feedKey) {
  console.error('用法 / usage: npm run sync -- <数据源名称或 ID / feed name or id>');
  process.exit(2);
}

const config = loadConfigOrExit();

await withStore(config, '同步失败 / Sync failed', async (connection) => {
  const models = createModels(connection);
  await ensureIndexes(models);
  const runtime = createIngestRuntime(connection, {
    log: createLogger(config.logLevel),
    fetch: { allowlist: loadIngestSettings().fetchAllowlist },
  });
  await ensureIngestIndexes(runtime.models);
  const service = new FeedService({ runtime, Department: models.Department });
  const feed = await service.findByNameOrId(feedKey);
  const outcome = await service.run(feed._id.toHexString(), 'CLI');
  if (!outcome.started) {
    console.error(`未运行 / not started: ${outcome.reason === 'BUSY' ? '另一实例正在同步 / another instance is syncing it' : outcome.reason}`);
    process.exitCode = 1;
  } else {
    const { run } = outcome;
    console.log(JSON.stringify({ feed: feed.name, run: run._id.toHexString(), status: run.status, stats: run.stats, error: run.error, held: run.held }, null, 2));
    if (run.status === 'FAILED' || run.status === 'HELD') process.exitCode = 1;
  }
});
