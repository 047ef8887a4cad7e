import { seedDemoData } from '../../seeds/index.js';
import { ConfigError, loadConfig } from '../config/index.js';
import { connectStore } from '../db/index.js';
import { startEmbeddedMongo, type EmbeddedMongo } from '../embedded-mongo/index.js';
import { EMBEDDED_DB_NAME, withDatabase } from '../hub.js';

/**
 * `npm run seed`: applies the demo data to MONGODB_URI, or to the embedded store kept in
 * DATA_DIR when no URI is given (stop the hub first: one process owns a data directory).
 * Unlike `npm start`, it also updates a store that already holds data.
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
    const counts = await seedDemoData(connection);
    for (const [collection, c] of Object.entries(counts)) {
      console.log(`${collection}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`);
    }
  } finally {
    await connection.close();
  }
} catch (error) {
  console.error(`演示数据写入失败 / Seeding failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await embedded?.stop();
}
