import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_USERS, type DemoUsername } from '../../../seeds/demo-users.js';
import { launchChromium } from './browser.js';
import { startConsoleHub, type ConsoleHub } from './hub.js';

export { CHROMIUM_PATH, launchChromium } from './browser.js';
export { startConsoleHub, type ConsoleHub } from './hub.js';
export { DEMO_USERS };

/** Time for a test file's beforeAll: a console build on a busy machine, the hub, the browser. */
export const E2E_SETUP_TIMEOUT_MS = 300_000;

const SCREENSHOT_DIR = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));

let origin: string | null = null;

export interface ConsoleE2E {
  hub: ConsoleHub;
  browser: Browser;
  /** A page in a fresh browser context (own storage: signed out), 1366×768, Chinese. */
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** One hub and one browser for a test file. */
export async function startConsoleE2E(): Promise<ConsoleE2E> {
  const [hub, browser] = await Promise.all([startConsoleHub(), launchChromium()]);
  origin = hub.origin;
  const contexts: BrowserContext[] = [];
  return {
    hub,
    browser,
    async newPage() {
      const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      context.setDefaultTimeout(30_000);
      contexts.push(context);
      return context.newPage();
    },
    async close() {
      await Promise.allSettled(contexts.map((context) => context.close()));
      await browser.close().catch(() => undefined);
      await hub.stop();
      origin = null;
    },
  };
}

/** The console URL of `path` (`/feeds/new`) on the running hub. */
export function consoleUrl(path = '/'): string {
  if (!origin) throw new Error('consoleUrl(): call startConsoleE2E() first');
  return `${origin}/console${path.startsWith('/') ? path : `/${path}`}`;
}

/** The hub's own URL of `path` (`/graphql`). */
export function hubUrl(path: string): string {
  if (!origin) throw new Error('hubUrl(): call startConsoleE2E() first');
  return `${origin}${path}`;
}

/** A demo account's password (seeds/demo-users.ts). */
export function demoPassword(username: DemoUsername): string {
  return DEMO_USERS.find((user) => user.username === username)!.password;
}

/** Signs in through the login form and waits for the console shell. */
export async function loginAs(page: Page, username: string, password: string): Promise<void> {
  await page.goto(consoleUrl('/login'));
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await page.getByTestId('current-user').waitFor();
}

/** Saves docs/screenshots/<name>.png when CONSOLE_SCREENSHOTS=1 (README gallery). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.CONSOLE_SCREENSHOTS !== '1') return;
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  // Let menus and messages finish their transitions first.
  await page.waitForTimeout(600);
  await page.screenshot({ path: `${SCREENSHOT_DIR}${name}.png`, animations: 'disabled' });
}
