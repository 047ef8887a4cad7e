import { fileURLToPath } from 'node:url';
import type { DepartmentModel, FeedModel } from '../src/db/index.js';
import type { FeedDoc } from '../src/db/models/feed.js';
import { FeedError, FeedService } from '../src/domain/feeds/index.js';
import { runFeed, type IngestLogger, type IngestRuntime } from '../src/ingest/index.js';

/**
 * One demo feed per department profile. Each reads a file in seeds/feeds/ in that
 * department's native format, served by the hub itself under DEMO_FEEDS_ROUTE, so a
 * newcomer's `npm start` shows real sync runs, their counts, and quarantined records (every
 * file holds at least one record that fails: a missing title, an impossible date, or a row
 * marked 涉密). The hub must allowlist its own address for these feeds (the fetch policy
 * refuses loopback otherwise).
 */

/** Where the hub serves the demo source files (a static route). */
export const DEMO_FEEDS_ROUTE = '/demo-feeds';
/** The directory to serve under DEMO_FEEDS_ROUTE. */
export const DEMO_FEED_FILES_DIR = fileURLToPath(new URL('./feeds/', import.meta.url));

/** The fields an admin gives when registering a feed (FeedDoc's own, minus run bookkeeping). */
export type DemoFeedDefinition = Pick<
  FeedDoc,
  'name' | 'department' | 'connector' | 'config' | 'mapping' | 'targetKind' | 'schedule' | 'syncMode' | 'orgScope' | 'reviewPolicy' | 'owner'
>;

/** The owner the demo feeds are registered under. */
export const DEMO_FEED_OWNER = 'demo';
/** Every 10 minutes, so the demo's run history grows while the hub is up. */
const schedule = { cron: '*/10 * * * *', timezone: 'Asia/Shanghai' };
/** Records without units of their own are attached to the city. */
const cityScope = ['330500'];

/** The demo feeds, their URLs on the hub at `hubUrl` (e.g. http://127.0.0.1:4000). */
export function demoFeeds(hubUrl: string): DemoFeedDefinition[] {
  const file = (name: string) => new URL(`${DEMO_FEEDS_ROUTE}/${name}`, hubUrl).toString();
  const feed = (definition: Omit<DemoFeedDefinition, 'mapping' | 'schedule' | 'syncMode' | 'orgScope' | 'owner'>): DemoFeedDefinition => ({
    mapping: null,
    schedule,
    syncMode: 'FULL',
    orgScope: cityScope,
    owner: DEMO_FEED_OWNER,
    ...definition,
  });
  return [
    feed({
      name: '演示·卫健 预防接种门诊一览表',
      department: 'health',
      connector: 'health',
      config: { dataset: 'vaccination-sites', url: file('health-vaccination-sites.gb18030.csv') },
      targetKind: 'SERVICE',
      reviewPolicy: 'AUTO_PUBLISH',
    }),
    feed({
      name: '演示·人社 政务服务事项清单',
      department: 'hrss',
      connector: 'hrss',
      config: { dataset: 'services', url: file('hrss-services.json') },
      targetKind: 'SERVICE',
      reviewPolicy: 'AUTO_PUBLISH',
    }),
    feed({
      name: '演示·司法 政府信息公开目录',
      department: 'justice',
      connector: 'justice',
      config: { dataset: 'policies', url: file('justice-policies.gb18030.xml') },
      targetKind: 'POLICY',
      // Policies wait for a reviewer, so the demo's review queue is not empty.
      reviewPolicy: 'REQUIRE_REVIEW',
    }),
    feed({
      name: '演示·文旅 文化馆活动预告',
      department: 'culture',
      connector: 'culture',
      config: { dataset: 'events-rss', url: file('culture-events.rss.xml') },
      targetKind: 'EVENT',
      reviewPolicy: 'AUTO_PUBLISH',
    }),
    feed({
      name: '演示·文旅 图书馆活动日历',
      department: 'culture',
      connector: 'culture',
      config: { dataset: 'events-ics', url: file('culture-library-events.ics') },
      targetKind: 'EVENT',
      reviewPolicy: 'AUTO_PUBLISH',
    }),
    feed({
      name: '演示·教育 中小学校名单',
      department: 'education',
      connector: 'education',
      config: { dataset: 'schools', url: file('education-schools.xlsx') },
      targetKind: 'SERVICE',
      reviewPolicy: 'AUTO_PUBLISH',
    }),
  ];
}

/**
 * Registers the demo feeds that are not registered yet (matched by name) through the feed
 * service, so they are validated like an admin's. With the feeds' unique name index in place,
 * a demo feed an admin deleted stays deleted.
 * Returns the feeds it registered, for the caller to run once at start.
 */
export async function registerDemoFeeds(service: Pick<FeedService, 'register' | 'findByNameOrId'>, hubUrl: string): Promise<FeedDoc[]> {
  const registered: FeedDoc[] = [];
  for (const definition of demoFeeds(hubUrl)) {
    if (await isRegistered(service, definition.name)) continue;
    try {
      registered.push((await service.register(definition)).feed);
    } catch (error) {
      // CONFLICT: the name is taken by a deleted feed (the unique index sees deleted ones too).
      if (!(error instanceof FeedError && error.code === 'CONFLICT')) throw error;
    }
  }
  return registered;
}

async function isRegistered(service: Pick<FeedService, 'findByNameOrId'>, name: string): Promise<boolean> {
  try {
    await service.findByNameOrId(name);
    return true;
  } catch (error) {
    if (error instanceof FeedError && error.code === 'NOT_FOUND') return false;
    throw error;
  }
}

/** True when demo feeds are registered (and not deleted): the hub then serves their files. */
export async function hasDemoFeeds(Feed: FeedModel): Promise<boolean> {
  return (await Feed.exists({ owner: DEMO_FEED_OWNER, status: { $ne: 'DELETED' } })) !== null;
}

/**
 * The environment for the sync engine with loopback allowlisted, so demo feeds can fetch their
 * files from the hub itself. Only for a hub that serves the demo data: every feed of that
 * process may then reach 127.0.0.1.
 */
export function withDemoFetchAllowlist(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const entries = (env.HUB_FETCH_ALLOWLIST ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  return { ...env, HUB_FETCH_ALLOWLIST: [...new Set([...entries, '127.0.0.1'])].join(',') };
}

export interface DemoFeedDeps {
  runtime: IngestRuntime;
  Department: DepartmentModel;
  log: IngestLogger;
}

/**
 * Registers the demo feeds of a freshly seeded hub and runs them once, one after another in the
 * background, so the first sync runs, counts and quarantined records appear within a minute.
 */
export async function startDemoFeeds(deps: DemoFeedDeps, hubUrl: string): Promise<void> {
  const registered = await registerDemoFeeds(new FeedService({ runtime: deps.runtime, Department: deps.Department }), hubUrl);
  void (async () => {
    for (const feed of registered) {
      try {
        const outcome = await runFeed(deps.runtime, feed._id, { trigger: 'MANUAL' });
        deps.log.info({ feed: feed.name, status: outcome.started ? outcome.run.status : outcome.reason }, 'demo feed synced');
      } catch (error) {
        deps.log.error({ feed: feed.name, err: error }, 'demo feed run failed');
      }
    }
  })();
}
