import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../connectors/testing/index.js';
import { connectStore, createModels } from '../../src/db/index.js';
import { FeedService, registerFeedSchema } from '../../src/domain/feeds/index.js';
import { createIngestRuntime, ensureIngestIndexes, runFeed, syncModels, type IngestRuntime, type SyncModels } from '../../src/ingest/index.js';
import { DEMO_FEED_FILES_DIR, DEMO_FEEDS_ROUTE, demoFeeds, hasDemoFeeds, registerDemoFeeds, withDemoFetchAllowlist } from '../../seeds/demo-feeds.js';
import { seedDemoData } from '../../seeds/index.js';
import { uniqueDbName, uriForDb } from '../support/mongo.js';

const quiet = { info() {}, warn() {}, error() {} };

describe('demo feeds', () => {
  let connection: Connection;
  let server: LocalServer;
  let runtime: IngestRuntime;
  let models: SyncModels;
  let feeds: FeedService;

  beforeAll(async () => {
    connection = await connectStore(uriForDb(uniqueDbName('demo_feeds')));
    await seedDemoData(connection, []);
    // The hub serves seeds/feeds/ under DEMO_FEEDS_ROUTE; this server stands in for it.
    server = await startLocalServer(async (_request, response, url) => {
      const name = url.pathname.slice(DEMO_FEEDS_ROUTE.length + 1);
      if (!url.pathname.startsWith(`${DEMO_FEEDS_ROUTE}/`) || name.includes('/')) {
        response.statusCode = 404;
        return response.end();
      }
      response.end(await readFile(join(DEMO_FEED_FILES_DIR, name)));
    });
    runtime = createIngestRuntime(connection, { log: quiet, fetch: { allowlist: ['127.0.0.1'] } });
    models = syncModels(connection);
    await ensureIngestIndexes(models);
    feeds = new FeedService({ runtime, Department: createModels(connection).Department });
  });

  afterAll(async () => {
    await server?.close();
    await connection.dropDatabase();
    await connection.close();
  });

  it('defines a feed for every department profile, each with its own file', () => {
    const feeds = demoFeeds(server.url);
    expect([...new Set(feeds.map((f) => f.connector))].sort()).toEqual(['culture', 'education', 'health', 'hrss', 'justice']);
    expect(new Set(feeds.map((f) => f.name)).size).toBe(feeds.length);
    expect(new Set(feeds.map((f) => String(f.config.url))).size).toBe(feeds.length);
    for (const feed of feeds) expect(registerFeedSchema.safeParse(feed).error).toBeUndefined();
  });

  it('adds loopback to the fetch allowlist once, keeping the entries already there', () => {
    expect(withDemoFetchAllowlist({ HUB_FETCH_ALLOWLIST: 'data.example.gov.cn, 10.0.0.0/8' }).HUB_FETCH_ALLOWLIST).toBe('data.example.gov.cn,10.0.0.0/8,127.0.0.1');
    expect(withDemoFetchAllowlist({ HUB_FETCH_ALLOWLIST: '127.0.0.1' }).HUB_FETCH_ALLOWLIST).toBe('127.0.0.1');
    expect(withDemoFetchAllowlist({}).HUB_FETCH_ALLOWLIST).toBe('127.0.0.1');
  });

  it('registers each demo feed once, validated by the feed service', async () => {
    expect(await hasDemoFeeds(models.Feed)).toBe(false);
    const first = await registerDemoFeeds(feeds, server.url);
    expect(await hasDemoFeeds(models.Feed)).toBe(true);
    expect(first.map((f) => f.name)).toEqual(demoFeeds(server.url).map((f) => f.name));
    expect(await registerDemoFeeds(feeds, server.url)).toEqual([]);
  });


  it.each(demoFeeds('http://127.0.0.1').map((f) => [f.name, f.connector] as const))(
    '%s syncs for real: records stored, at least one quarantined, and a rerun writes nothing',
    async (name) => {
      await registerDemoFeeds(feeds, server.url);
      const feed = await feeds.findByNameOrId(name);
      const first = await runFeed(runtime, feed._id, { trigger: 'MANUAL' });
      expect(first.started).toBe(true);
      if (!first.started) return;
      expect(first.run.error?.message ?? null).toBeNull();
      expect(first.run.status).toBe('PARTIAL');
      expect(first.run.stats.created).toBeGreaterThanOrEqual(3);
      expect(first.run.stats.quarantined).toBeGreaterThanOrEqual(1);
      expect(await models.Quarantine.countDocuments({ feed: feed._id })).toBe(first.run.stats.quarantined);

      const second = await runFeed(runtime, feed._id, { trigger: 'MANUAL' });
      if (!second.started) throw new Error('second run did not start');
      expect(second.run.stats).toMatchObject({ created: 0, updated: 0, unchanged: first.run.stats.created });
    },
  );

  // Runs last: it deletes a feed the tests above sync.
  it('leaves a demo feed an admin deleted deleted', async () => {
    const [first] = demoFeeds(server.url);
    await registerDemoFeeds(feeds, server.url);
    const feed = await feeds.findByNameOrId(first!.name);
    await feeds.remove(String(feed._id));
    expect(await registerDemoFeeds(feeds, server.url)).toEqual([]);
    expect(await models.Feed.countDocuments({ name: first!.name })).toBe(1);
  });
});
