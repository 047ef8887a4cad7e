import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import helmet from 'helmet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRouter } from '../../src/web-console/index.js';

/** How the hub serves a console build: cache headers, deep links, and what it says when there is none. */

let dist: string;
let server: Server;
let base: string;

beforeAll(async () => {
  dist = await mkdtemp(join(tmpdir(), 'gx-console-dist-'));
  await mkdir(join(dist, 'assets'));
  await writeFile(join(dist, 'index.html'), '<!doctype html><script type="module" src="/console/assets/index-abc123.js"></script>');
  await writeFile(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
  await writeFile(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  const app = express();
  app.use(helmet());
  app.use(consoleRouter(dist));
  app.use('/missing-build', consoleRouter(join(dist, 'nothing-here')));
  app.use((_req, res) => {
    res.status(404).end();
  });
  server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server?.close();
  await rm(dist, { recursive: true, force: true });
});

describe('the console route', () => {
  it('serves index.html for the app and any deep link, revalidated every time', async () => {
    for (const path of ['/console/', '/console/feeds/abc/edit', '/console/login?next=1']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('cache-control'), path).toBe('no-cache');
      expect(await response.text()).toContain('/console/assets/index-abc123.js');
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).not.toContain('upgrade-insecure-requests');
    }
  });

  it('caches hashed assets for a year and answers 404 (not index.html) for a missing one', async () => {
    const asset = await fetch(`${base}/console/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toContain('javascript');
    const missing = await fetch(`${base}/console/assets/gone-000.js`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toContain('<script');
  });

  it('redirects / and /console to /console/', async () => {
    for (const path of ['/', '/console']) {
      const response = await fetch(`${base}${path}`, { redirect: 'manual' });
      expect(response.status, path).toBeGreaterThanOrEqual(301);
      expect(response.headers.get('location'), path).toBe('/console/');
    }
  });

  it('says how to build the console when there is no build', async () => {
    const response = await fetch(`${base}/missing-build/console/feeds`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build:console');
  });
});

describe('the real build', () => {
  it('has no inline script, so the hub CSP (script-src self) lets it run', async () => {
    const { ensureConsoleBuilt, CONSOLE_DIST_DIR } = await import('../../src/web-console/index.js');
    await ensureConsoleBuilt();
    const html = await readFile(join(CONSOLE_DIST_DIR, 'index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src="\/console\/assets\//);
      expect(body?.trim()).toBe('');
    }
    expect(html).not.toMatch(/https?:\/\//);
  }, 300_000);
});
