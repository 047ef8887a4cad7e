import { randomUUID } from 'node:crypto';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import cors from 'cors';
import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import helmet from 'helmet';
import type { Connection } from 'mongoose';
import { loadHardeningConfig, type HardeningConfig } from '../config/index.js';
import { pingStore, type Models } from '../db/index.js';
import { AccessError } from '../domain/access/index.js';
import type { AuthRuntime } from '../domain/auth/index.js';
import { anonymousViewer, type Viewer } from '../domain/visibility/index.js';
import { buildSchema, createContext, formatError, hubPlugins, type GraphQLContext } from '../graphql/index.js';
import { allowlistPlugin, PersistedOperationStore } from '../graphql/persisted/index.js';
import { limitsPlugin, limitValidationRules } from '../graphql/plugins/limits.js';
import type { Logger } from '../logging/index.js';
import { createMetrics, monitorDbCommands, observabilityPlugin, observeContext, observeRequests } from '../observability/index.js';
import { GRAPHIQL_PAGE, graphiqlAssets } from './graphiql.js';
import { batchLimit, MemoryRateLimitStore, MongoRateLimitStore, rateLimit } from './limits/index.js';

export interface AppDependencies {
  connection: Connection;
  models: Models;
  log: Logger;
  /** Defaults to the full hub schema. */
  schema?: GraphQLSchema;
  /** Bearer-token authentication and login; without it every request is anonymous. */
  auth?: AuthRuntime;
  /** Who is asking; defaults to the bearer token read by `auth`. */
  viewerOf?: (req: Request) => Promise<Viewer> | Viewer;
  /** More routes (feed webhooks and uploads), mounted before the 404 handler. */
  routes?: RequestHandler[];
  /** Limits, production mode, rate limits, CORS, metrics; defaults to the development settings. */
  hardening?: HardeningConfig;
}

export interface HubApp {
  app: Express;
  apollo: ApolloServer<GraphQLContext>;
  /** From now on /readyz answers 503, so load balancers stop sending traffic. */
  markShuttingDown(): void;
  /** Stops the GraphQL server (after the HTTP server has stopped accepting requests). */
  stop(): Promise<void>;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The express app: /graphql (+ GraphiQL), /healthz, /readyz. */
export async function createApp(deps: AppDependencies): Promise<HubApp> {
  const { connection, models, log } = deps;
  const auth = deps.auth;
  const viewerOf = viewerOncePerRequest(deps.viewerOf ?? (auth ? (req: Request) => auth.viewerOf(req.get('authorization')) : () => anonymousViewer));
  const hardening = deps.hardening ?? loadHardeningConfig();
  const metrics = hardening.metricsEnabled ? createMetrics(connection) : null;
  const stopMonitoring = metrics ? monitorDbCommands(connection, metrics) : () => undefined;
  const persisted = PersistedOperationStore.of(connection);
  let shuttingDown = false;

  const apollo = new ApolloServer<GraphQLContext>({
    schema: deps.schema ?? buildSchema(),
    formatError,
    includeStacktraceInErrorResponses: false,
    // main.ts owns shutdown: it closes the HTTP server first, then stops Apollo.
    stopOnTerminationSignals: false,
    introspection: hardening.introspection,
    hideSchemaDetailsFromClientErrors: !hardening.fieldSuggestions,
    parseOptions: { maxTokens: hardening.limits.maxTokens },
    validationRules: limitValidationRules(hardening.limits),
    maxRecursiveSelections: true,
    allowBatchedHttpRequests: hardening.limits.maxBatch > 1,
    persistedQueries: { cache: persisted.asApolloCache() },
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      observabilityPlugin(metrics),
      limitsPlugin(hardening.limits),
      ...(hardening.persistedOperations === 'allowlist' ? [allowlistPlugin(persisted)] : []),
      ...hubPlugins(),
    ],
  });
  await apollo.start();

  const app = express();
  app.disable('x-powered-by');
  if (hardening.trustProxyHops > 0) app.set('trust proxy', hardening.trustProxyHops);
  app.use(requestId);
  app.use(observeRequests(log, metrics));
  // GraphiQL loads every script and style from the hub itself, so helmet's strict default CSP fits it.
  app.use(helmet());

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const storeAnswers = !shuttingDown && (await pingStore(connection));
    res.status(storeAnswers ? 200 : 503).json({ status: storeAnswers ? 'ready' : shuttingDown ? 'shutting-down' : 'store-unreachable' });
  });

  if (metrics) {
    app.get('/metrics', async (_req, res) => {
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  }

  app.use(graphiqlAssets());
  app.get('/graphql', (req, res, next) => {
    // A browser opening /graphql gets the IDE; GraphQL GET requests carry a query parameter.
    if (req.query.query === undefined && req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) === 'text/html') {
      res.type('html').send(GRAPHIQL_PAGE);
      return;
    }
    next();
  });
  const rateLimited = hardening.rateLimit.enabled
    ? [
        rateLimit({
          store: hardening.rateLimit.store === 'mongo' ? MongoRateLimitStore.on(connection) : new MemoryRateLimitStore(),
          settings: hardening.rateLimit,
          viewerOf,
          log,
          onLimited: (scope) => metrics?.rateLimited.inc({ scope }),
        }),
      ]
    : [];
  app.use(
    '/graphql',
    cors({ origin: hardening.corsOrigins, maxAge: 600 }),
    ...rateLimited,
    express.json({ limit: hardening.limits.maxBodyBytes }),
    batchLimit(hardening.limits.maxBatch),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const context = createContext(models, log, { requestId: String(res.locals.requestId), viewer: await graphQLViewer(viewerOf, req), ip: req.ip ?? null, auth: auth ?? null });
        observeContext(context, res);
        return context;
      },
    }),
  );

  for (const route of deps.routes ?? []) app.use(route);

  app.use((_req, res) => {
    res.status(404).json({ error: '未找到 / Not found' });
  });
  app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = httpStatusOf(error);
    if (status >= 500) log.error({ err: error, requestId: res.locals.requestId }, 'unhandled HTTP error');
    res.status(status).json({
      errors: [{ message: status >= 500 ? '服务器内部错误 / Internal server error' : '无效的请求 / Bad request', extensions: { requestId: res.locals.requestId } }],
    });
  });

  return {
    app,
    apollo,
    markShuttingDown: () => {
      shuttingDown = true;
    },
    stop: async () => {
      stopMonitoring();
      await apollo.stop();
    },
  };
}

/** Each request's viewer is worked out once, however many middlewares ask for it. */
function viewerOncePerRequest(viewerOf: (req: Request) => Promise<Viewer> | Viewer): (req: Request) => Promise<Viewer> {
  const viewers = new WeakMap<Request, Promise<Viewer>>();
  return (req) => {
    let viewer = viewers.get(req);
    if (!viewer) {
      viewer = Promise.resolve().then(() => viewerOf(req));
      viewers.set(req, viewer);
    }
    return viewer;
  };
}

/** The viewer, or a 401 GraphQL error for a token that does not stand for a user. */
async function graphQLViewer(viewerOf: (req: Request) => Promise<Viewer> | Viewer, req: Request): Promise<Viewer> {
  try {
    return await viewerOf(req);
  } catch (error) {
    if (!(error instanceof AccessError)) throw error;
    throw new GraphQLError(error.message, { extensions: { code: error.code, http: { status: 401 } } });
  }
}

function requestId(req: Request, res: Response, next: NextFunction): void {
  const given = req.get('x-request-id');
  const id = given && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
  res.locals.requestId = id;
  res.set('x-request-id', id);
  next();
}

/** Body-parser errors (malformed JSON, too large) carry a 4xx status; anything else is a 500. */
function httpStatusOf(error: unknown): number {
  if (typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' && error.status >= 400 && error.status < 500) {
    return error.status;
  }
  return 500;
}
