import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Types } from 'mongoose';
import { createModels } from '../../src/db/index.js';
import type { Viewer } from '../../src/domain/visibility/index.js';
import { buildSchema, createContext, formatError, hubPlugins, type GraphQLContext } from '../../src/graphql/index.js';
import { feedIntakeRouter, type FeedIntakeOptions } from '../../src/http/feed-intake.js';
import { registerIngestRuntime } from '../../src/ingest/index.js';
import { createLogger } from '../../src/logging/index.js';
import type { Harness } from './harness.js';

/** The hub's GraphQL schema and feed intake routes behind express on a random port. */

export function departmentAdmin(department: string): Viewer {
  return {
    kind: 'user',
    userId: new Types.ObjectId(),
    username: `${department}-admin`,
    grants: [{ role: 'DEPARTMENT_ADMIN', orgUnit: null, department, stages: [] }],
  };
}

export interface ApiServer {
  url: string;
  /** POST /graphql as `viewer`. */
  graphql(query: string, variables: Record<string, unknown>, viewer: Viewer): Promise<{ data?: Record<string, unknown>; errors?: Array<{ message: string; extensions?: { code?: string; reason?: string } }> }>;
  close(): Promise<void>;
}

export async function startApi(harness: Harness, options: FeedIntakeOptions): Promise<ApiServer> {
  registerIngestRuntime(harness.connection, harness.runtime);
  const models = createModels(harness.connection);
  const log = createLogger('silent');
  const apollo = new ApolloServer<GraphQLContext>({ schema: buildSchema(), formatError, plugins: hubPlugins() });
  await apollo.start();
  const viewers = new Map<string, Viewer>();
  const app = express();
  app.use(feedIntakeRouter(harness.runtime, options));
  app.use(
    '/graphql',
    express.json(),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const requestId = String(req.headers['x-request-id']);
        return createContext(models, log, { requestId, viewer: viewers.get(requestId) ?? { kind: 'anonymous' } });
      },
    }),
  );
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let requests = 0;
  return {
    url,
    async graphql(query, variables, viewer) {
      const requestId = `feeds-test-${++requests}`;
      viewers.set(requestId, viewer);
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': requestId },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as Awaited<ReturnType<ApiServer['graphql']>>;
    },
    async close() {
      await new Promise((resolve) => server.close(resolve));
      await apollo.stop();
    },
  };
}
