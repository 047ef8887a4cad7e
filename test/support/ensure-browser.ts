import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CHROMIUM_PATH } from '../console/support/browser.js';

/**
 * Run before `npm test` (and by `.ci/run`): the console's end-to-end tests need Debian's
 * Chromium, and CJK fonts so that Chinese renders. On a fresh Debian machine where we may use
 * apt-get (root), they are installed here, so that `npm test` alone still sets up everything
 * the README promises. Elsewhere this only says what is missing; the e2e tests then fail with
 * the same message rather than skip.
 */
const PACKAGES = ['chromium', 'fonts-noto-cjk'];

function installed(pkg: string): boolean {
  return spawnSync('dpkg', ['-s', pkg], { stdio: 'ignore' }).status === 0;
}

function apt(...args: string[]): void {
  const result = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed (exit ${String(result.status)})`);
}

const missing = existsSync(CHROMIUM_PATH) ? PACKAGES.filter((pkg) => !installed(pkg)) : PACKAGES;
const canInstall = process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;

if (missing.length > 0 && canInstall) {
  console.log(`Installing ${missing.join(', ')} for the console's browser tests / 正在安装浏览器测试所需的软件包`);
  apt('update');
  apt('install', '-y', '--no-install-recommends', ...missing);
} else if (missing.length > 0) {
  console.warn(
    `Missing ${missing.join(', ')}: the console e2e tests will fail. Install them with ` +
      `\`apt-get install -y --no-install-recommends ${missing.join(' ')}\` / 缺少浏览器测试所需的软件包`,
  );
}
