import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Connection } from 'mongoose';
import { DEMO_FEED_FILES_DIR, DEMO_FEEDS_ROUTE, hasDemoFeeds, startDemoFeeds, withDemoFetchAllowlist } from '../seeds/demo-feeds.js';
import { seedDemoData } from '../seeds/index.js';
import { seedDemoReviews } from '../seeds/demo-reviews.js';
import { seedDemoUsers } from '../seeds/demo-users.js';
import type { HubConfig } from './config/index.js';
import { connectStore, createModels, ensureIndexes, type Models } from './db/index.js';
import { createAuthRuntime, loadAuthConfig } from './domain/auth/index.js';
import { startEmbeddedMongo, type EmbeddedMongo } from './embedded-mongo/index.js';
import { createApp, type HubApp } from './http/index.js';
import { feedIntakeRouter } from './http/feed-intake.js';
import { reportExportRouter } from './http/report-export.js';
import { createReportScheduler, type ReportScheduler } from './domain/reports/index.js';
import { ensureReviewCaseUnits } from './domain/review/index.js';
import { ensureOrgAnchors } from './domain/org/index.js';
import { startIngest, type RunningIngest } from './ingest/index.js';
import { ensureSearchTermsCurrent } from './search/index.js';
import type { Logger } from './logging/index.js';
import { CONSOLE_DIST_DIR, consoleRouter } from './web-console/index.js';

/** Database the hub uses on the embedded store (the same one `npm run seed` writes). */
export const EMBEDDED_DB_NAME = 'gongxiang';

export interface RunningHub {
  /** e.g. http://localhost:4000/graphql */
  graphqlUrl: string;
  port: number;
  connection: Connection;
  models: Models;
  /** Graceful stop: refuse new connections, finish requests in flight, close the store. */
  stop(): Promise<void>;
}

/** config → store (embedded unless MONGODB_URI) → indexes → demo data if empty → app → listen. */
export async function startHub(config: HubConfig, log: Logger): Promise<RunningHub> {
  const authConfig = loadAuthConfig();
  let embedded: EmbeddedMongo | undefined;
  let uri = config.mongodbUri;
  if (!uri) {
    embedded = await startEmbeddedMongo({ dataDir: config.dataDir, host: '127.0.0.1', port: config.embeddedMongoPort });
    uri = withDatabase(embedded.uri, EMBEDDED_DB_NAME);
    log.info({ dataDir: config.dataDir, port: embedded.port }, 'embedded store started');
  }
  const connection = await connectStore(uri, { monitorCommands: config.hardening.metricsEnabled });
  const models = createModels(connection);
  await ensureIndexes(models);
  const seeded = config.seedDemoData && (await storeIsEmpty(models));
  if (seeded) {
    const counts = await seedDemoData(connection);
    log.info({ counts }, 'empty store: demo data seeded');
    log.info({ reviews: await seedDemoReviews(connection) }, 'demo review work seeded (pending submissions and revisions)');
  }
  // Before serving: search over terms of an older format would rank and match wrongly.
  // Progress is news only once something was rewritten (a fresh or current store is just scanned).
  const terms = await ensureSearchTermsCurrent(models, {
    onBatch: (stats) => {
      if (stats.updated > 0) log.info(stats, 'search terms: reindexing');
      else log.debug(stats, 'search terms: checked');
    },
  });
  if (terms.stats?.updated) log.info({ from: terms.from, ...terms.stats }, 'search terms brought to the current format');
  const caseUnits = await ensureReviewCaseUnits(models);
  if (caseUnits > 0) log.info({ cases: caseUnits }, 'review cases: units recorded for reports');
  const anchors = await ensureOrgAnchors(models);
  if (anchors.resources + anchors.cases > 0) log.info(anchors, 'org roll-up anchors recorded for reports');

  const auth = createAuthRuntime(models, authConfig);
  if (seeded) log.info({ created: await seedDemoUsers(auth.service) }, 'demo users seeded (demo-only passwords, see README)');
  if (auth.config.ephemeralSecret) log.warn('AUTH_JWT_SECRET is not set: tokens are signed with a per-process key and end with the process');
  // Demo feeds read their files from this hub (seeds/feeds under DEMO_FEEDS_ROUTE); only a demo
  // store gets the route and the loopback allowlist entry.
  const demo = seeded || (config.seedDemoData && (await hasDemoFeeds(models.Feed)));
  const ingest = await startIngest(connection, log, demo ? withDemoFetchAllowlist(process.env) : process.env);
  const demoFiles = demo ? [express.Router().use(DEMO_FEEDS_ROUTE, express.static(DEMO_FEED_FILES_DIR))] : [];
  const intake = feedIntakeRouter(ingest.runtime, { uploadsEnabled: ingest.settings.uploadsEnabled, viewerOf: (req) => auth.viewerOf(req.get('authorization')) });
  const reportExport = reportExportRouter({ models, viewerOf: (req) => auth.viewerOf(req.get('authorization')) });
  const reports = createReportScheduler(models, log);
  await reports.refresh();
  const hub = await createApp({ connection, models, log, auth, routes: [intake, reportExport, ...demoFiles, consoleRouter(CONSOLE_DIST_DIR)], hardening: config.hardening });
  const server = hub.app.listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  if (seeded) await startDemoFeeds({ runtime: ingest.runtime, Department: models.Department, log }, `http://127.0.0.1:${port}`);
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;

  return {
    graphqlUrl: `http://${host}:${port}/graphql`,
    port,
    connection,
    models,
    stop: () => stopHub({ hub, server, connection, embedded, ingest, reports, log, timeoutMs: config.shutdownTimeoutMs }),
  };
}

async function storeIsEmpty(models: Models): Promise<boolean> {
  const [units, resources] = await Promise.all([models.OrgUnit.estimatedDocumentCount(), models.Resource.estimatedDocumentCount()]);
  return units === 0 && resources === 0;
}

interface StopParts {
  hub: HubApp;
  server: Server;
  connection: Connection;
  embedded?: EmbeddedMongo;
  ingest: RunningIngest;
  reports: ReportScheduler;
  log: Logger;
  timeoutMs: number;
}

async function stopHub({ hub, server, connection, embedded, ingest, reports, log, timeoutMs }: StopParts): Promise<void> {
  hub.markShuttingDown();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => {
    log.warn({ timeoutMs }, 'requests still in flight at shutdown timeout; closing their connections');
    server.closeAllConnections();
  }, timeoutMs);
  await closed;
  clearTimeout(timer);
  log.debug('http server closed');
  await hub.stop();
  log.debug('graphql server stopped');
  await ingest.stop();
  await reports.stop();
  log.debug('feed and report schedulers stopped');
  await connection.close();
  log.debug('store connection closed');
  await embedded?.stop();
  log.debug('embedded store stopped');
}

/** The URI with its path set to `db`, keeping the query string (replicaSet, …). */
export function withDatabase(uri: string, db: string): string {
  const url = new URL(uri);
  url.pathname = `/${db}`;
  return url.toString();
}
