import { seedDemoData } from '../../seeds/index.js';
import { loadConfigOrExit, withStore } from './store-session.js';

/**
 * `npm run seed`: applies the demo data to MONGODB_URI, or to the embedded store kept in
 * DATA_DIR when no URI is given (stop the hub first: one process owns a data directory).
 * Unlike `npm start`, it also updates a store that already holds data.
 */
const config = loadConfigOrExit();

await withStore(config, '演示数据写入失败 / Seeding failed', async (connection) => {
  const counts = await seedDemoData(connection);
  for (const [collection, c] of Object.entries(counts)) {
    console.log(`${collection}: ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`);
  }
});
