import { z } from 'zod';
import { startEmbeddedMongo } from './index.js';

/** `npm run db`: runs the embedded server standalone (DATA_DIR, PORT, HOST from the environment). */
const envSchema = z.object({
  DATA_DIR: z.string().min(1).default('./data'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(27017),
  HOST: z.string().min(1).default('127.0.0.1'),
});

const env = envSchema.safeParse(process.env);
if (!env.success) {
  console.error(`环境变量无效 / Invalid environment: ${z.prettifyError(env.error)}`);
  process.exit(1);
}

const server = await startEmbeddedMongo({ dataDir: env.data.DATA_DIR, port: env.data.PORT, host: env.data.HOST });
console.log(`embedded MongoDB listening: ${server.uri} (data in ${env.data.DATA_DIR})`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void server.stop().then(() => process.exit(0));
  });
}
