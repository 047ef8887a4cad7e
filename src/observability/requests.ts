import type { ApolloServerPlugin } from '@apollo/server';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { GraphQLContext } from '../graphql/context.js';
import type { Logger } from '../logging/index.js';
import type { HubMetrics } from './metrics.js';

/** What one HTTP request did, filled in by the GraphQL plugin, logged once when it ends. */
export interface RequestObservation {
  operationName: string | null;
  operationType: string | null;
  viewerRole: string;
  errorCodes: string[];
}

/**
 * Keyed by the context's per-request logger: Apollo shallow-clones the context object for
 * each operation, but the members made for one request survive the clone.
 */
const observations = new WeakMap<object, RequestObservation>();
const ROUTES = new Set(['/graphql', '/healthz', '/readyz', '/metrics']);

/** Links a GraphQL context to its HTTP request's observation (called where contexts are made). */
export function observeContext(context: GraphQLContext, res: Response): void {
  const observation = res.locals.observation as RequestObservation | undefined;
  if (observation) observations.set(context.log, observation);
}

/**
 * One JSON log line per HTTP request (request id, method, path without the query string,
 * status, duration, operation, viewer role, error codes) and the HTTP request counter. Headers,
 * bodies and variables are never logged, so tokens and passwords cannot reach the logs.
 */
export function observeRequests(log: Logger, metrics: HubMetrics | null): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    // Read now: routers mounted on a path (app.use('/graphql', …)) rewrite req.path while they run.
    const path = req.path;
    const observation: RequestObservation = { operationName: null, operationType: null, viewerRole: 'ANONYMOUS', errorCodes: [] };
    res.locals.observation = observation;
    res.on('finish', () => {
      const route = ROUTES.has(path) ? path : 'other';
      metrics?.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      if (route === '/metrics' || route === '/healthz' || route === '/readyz') return;
      log.info(
        {
          requestId: res.locals.requestId,
          method: req.method,
          path,
          status: res.statusCode,
          durationMs: Number(process.hrtime.bigint() - started) / 1e6,
          operationName: observation.operationName,
          operationType: observation.operationType,
          viewerRole: observation.viewerRole,
          errors: observation.errorCodes,
        },
        'request',
      );
    });
    next();
  };
}

function roleOf(context: GraphQLContext): string {
  const { viewer } = context;
  return viewer.kind === 'anonymous' ? 'ANONYMOUS' : [...new Set(viewer.grants.map((grant) => grant.role))].sort().join(',') || 'USER';
}

/** Operation name, type, errors and latency of each GraphQL request, into its observation and metrics. */
export function observabilityPlugin(metrics: HubMetrics | null): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ contextValue, operation, operationName, response }) {
          const name = operationName ?? operation?.name?.value ?? 'anonymous';
          const type = operation?.operation ?? 'unknown';
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const codes = errors.map((error) => String(error.extensions?.code ?? 'UNKNOWN'));
          const observation = observations.get(contextValue.log);
          if (observation) {
            observation.operationName = operationName ?? operation?.name?.value ?? null;
            observation.operationType = operation?.operation ?? null;
            observation.viewerRole = roleOf(contextValue);
            observation.errorCodes = codes;
          }
          if (!metrics) return;
          // Unparsed or unknown operations share one label, so hostile names cannot grow the series.
          const label = operation ? name.slice(0, 64) : 'invalid';
          metrics.graphqlRequests.inc({ operation: label, type, outcome: codes.length > 0 ? 'error' : 'ok' });
          metrics.graphqlDuration.observe({ operation: label, type }, Number(process.hrtime.bigint() - started) / 1e9);
          for (const code of new Set(codes)) metrics.graphqlErrors.inc({ operation: label, code });
        },
      };
    },
  };
}
