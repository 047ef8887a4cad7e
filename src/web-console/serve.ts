import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type Router } from 'express';
import helmet from 'helmet';

/** Where the console is served. */
export const CONSOLE_ROUTE = '/console';

/**
 * Serves the built console: hashed assets cached for a year, index.html revalidated every time,
 * and index.html for any other path under /console so deep links (/console/feeds/…) work.
 */
export function consoleRouter(distDir: string): Router {
  const router = express.Router();
  const indexFile = join(distDir, 'index.html');

  router.get('/', (_req, res) => res.redirect(302, `${CONSOLE_ROUTE}/`));
  // Helmet's default policy, less upgrade-insecure-requests: over plain HTTP on a LAN address it
  // would send the bundle's requests to https and leave a blank page. Scripts stay 'self' only.
  router.use(CONSOLE_ROUTE, helmet.contentSecurityPolicy({ directives: { upgradeInsecureRequests: null } }));
  router.use(
    `${CONSOLE_ROUTE}/assets`,
    express.static(join(distDir, 'assets'), { index: false, fallthrough: false, immutable: true, maxAge: '365d' }),
  );
  router.use(
    CONSOLE_ROUTE,
    express.static(distDir, {
      index: false,
      redirect: false,
      dotfiles: 'ignore',
      setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache'),
    }),
  );
  router.get(/^\/console(\/.*)?$/, (req, res) => {
    if (req.path === CONSOLE_ROUTE) {
      res.redirect(301, `${CONSOLE_ROUTE}/`);
      return;
    }
    if (!existsSync(indexFile)) {
      res
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('控制台尚未构建：请运行 npm run build:console / The console is not built yet: run npm run build:console\n');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(indexFile);
  });
  return router;
}
