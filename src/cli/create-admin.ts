import { parseArgs } from 'node:util';
import { createModels, ensureIndexes } from '../db/index.js';
import { AuditTrail } from '../domain/audit/index.js';
import { createAuthRuntime, loadAuthConfig, publicUser } from '../domain/auth/index.js';
import { anonymousViewer } from '../domain/visibility/index.js';
import { loadConfigOrExit, withStore } from './store-session.js';

/**
 * `npm run user:create-admin -- --username admin --name 管理员`: creates a platform admin in
 * MONGODB_URI, or in the embedded store in DATA_DIR (stop the hub first). The password comes
 * from ADMIN_PASSWORD, so it never shows in the process list or shell history.
 */
const usage = 'usage: ADMIN_PASSWORD=… npm run user:create-admin -- --username NAME [--name DISPLAY_NAME]';

const config = loadConfigOrExit();
const authConfig = loadConfigOrExit(loadAuthConfig);

const { values } = parseArgs({ options: { username: { type: 'string' }, name: { type: 'string' } }, strict: true });
const { username } = values;
const password = process.env.ADMIN_PASSWORD;
if (!username || !password) {
  console.error(`需要 --username 和 ADMIN_PASSWORD / --username and ADMIN_PASSWORD are required\n${usage}`);
  process.exit(2);
}

await withStore(config, '创建失败 / Failed', async (connection) => {
  const models = createModels(connection);
  await ensureIndexes(models);
  const user = await createAuthRuntime(models, authConfig).service.createUserUnchecked({
    username,
    displayName: values.name ?? username,
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
});
