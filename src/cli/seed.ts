import { z } from 'zod';
import { seedDemoData } from '../../seeds/index.js';
import { connectStore } from '../db/index.js';
import { startEmbeddedMongo, type EmbeddedMongo } from '../embedded-mongo/index.js';

/**
 * `npm run seed`: loads the demo data into MONGODB_URI, or into the embedded store kept in
 * DATA_DIR when no URI is given (stop the hub first: one process owns a data directory).
 */
const envSchema = z.object({
  MONGODB_URI: z.string().regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://').optional(),
  DATA_DIR: z.string().min(1).default('./data'),
});

const env = envSchema.safeParse(process.env);
if (!env.success) {
  console.error(`环境变量无效 / Invalid environment: ${z.prettifyError(env.error)}`);
  process.exit(1);
}

let embedded: EmbeddedMongo | undefined;
try {
  let uri = env.data.MONGODB_URI;
  if (!uri) {
    embedded = await startEmbeddedMongo({ dataDir: env.data.DATA_DIR, host: '127.0.0.1', port: 0 });
    uri = new URL('/gongxiang', embedded.uri).toString();
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
