import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/index.js';
import { connectStore, createModels, ensureIndexes } from '../db/index.js';
import { AccessError } from '../domain/access/index.js';
import { AuditTrail } from '../domain/audit/index.js';
import { createAuthRuntime, loadAuthConfig, publicUser } from '../domain/auth/index.js';
import { anonymousViewer } from '../domain/visibility/index.js';
import { InvalidInputError } from '../domain/errors.js';
import { startEmbeddedMongo, type EmbeddedMongo } from '../embedded-mongo/index.js';
import { EMBEDDED_DB_NAME, withDatabase } from '../hub.js';

/**
 * `npm run user:create-admin -- --username admin --name 管理员`: creates a platform admin in
 * MONGODB_URI, or in the embedded store in DATA_DIR (stop the hub first). The password comes
 * from ADMIN_PASSWORD, so it never shows in the process list or shell history.
 */
const usage = 'usage: ADMIN_PASSWORD=… npm run user:create-admin -- --username NAME [--name DISPLAY_NAME]';

let config;
let authConfig;
try {
  config = loadConfig();
  authConfig = loadAuthConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

const { values } = parseArgs({ options: { username: { type: 'string' }, name: { type: 'string' } }, strict: true });
const password = process.env.ADMIN_PASSWORD;
if (!values.username || !password) {
  console.error(`需要 --username 和 ADMIN_PASSWORD / --username and ADMIN_PASSWORD are required\n${usage}`);
  process.exit(2);
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
    const user = await createAuthRuntime(models, authConfig).service.createUserUnchecked({
      username: values.username,
      displayName: values.name ?? values.username,
      password,
      grants: [{ role: 'PLATFORM_ADMIN' }],
    });
    await new AuditTrail(models.AuditEntry, anonymousViewer, null, null).record({
      action: 'user.createAdmin',
      outcome: 'SUCCESS',
      actorName: 'cli',
      target: { type: 'User', id: user._id.toHexString() },
      after: publicUser(user),
    });
    console.log(`已创建平台管理员 / Platform admin created: ${user.username}`);
  } finally {
    await connection.close();
  }
} catch (error) {
  if (error instanceof InvalidInputError || error instanceof AccessError) {
    console.error(error.message);
  } else {
    console.error(`创建失败 / Failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exitCode = 1;
} finally {
  await embedded?.stop();
}
