import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import type { GraphQLSchema } from 'graphql';
import type { Connection } from 'mongoose';
import { pino } from 'pino';
import { connectStore, createModels, ensureIndexes, type Models } from '../../src/db/index.js';
import { createApp, type HubApp } from '../../src/http/index.js';
import { uniqueDbName, uriForDb } from '../support/mongo.js';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[] };
}

export interface TestHub {
  url: string;
  models: Models;
  connection: Connection;
  /** Log lines the hub wrote (pino JSON, parsed). */
  logs: Record<string, unknown>[];
  /** Commands the driver sent since the last reset, by name (monitorCommands on). */
  commands: string[];
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** What SIGTERM does first: /readyz turns 503 while requests in flight finish. */
  markShuttingDown(): void;
  stop(): Promise<void>;
}

/** Commands that are connection housekeeping rather than work a query asked for. */
const HOUSEKEEPING = new Set(['hello', 'isMaster', 'ismaster', 'ping', 'endSessions', 'buildInfo', 'saslStart', 'saslContinue']);

/** The real app on a random port over a fresh database of the suite's store. */
export async function startTestHub(prefix: string, options: { schema?: GraphQLSchema } = {}): Promise<TestHub> {
  const connection = await connectStore(uriForDb(uniqueDbName(prefix)), { monitorCommands: true });
  const models = createModels(connection);
  await ensureIndexes(models);

  const commands: string[] = [];
  connection.getClient().on('commandStarted', (event) => {
    if (!HOUSEKEEPING.has(event.commandName)) commands.push(event.commandName);
  });

  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const log = pino({ level: 'info' }, sink);

  const hub: HubApp = await createApp({ connection, models, log, schema: options.schema });
  const server: Server = hub.app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    models,
    connection,
    logs,
    commands,
    async gql<T>(query: string, variables?: Record<string, unknown>) {
      const response = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, headers: response.headers, body: (await response.json()) as GraphQLResponse<T>['body'] };
    },
    markShuttingDown: () => hub.markShuttingDown(),
    async stop() {
      hub.markShuttingDown();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await hub.stop();
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    },
  };
}

/** The data of a response, failing with its errors if there were any. */
export function dataOf<T>(response: GraphQLResponse<T>): T {
  if (response.body.errors?.length) throw new Error(`GraphQL errors: ${JSON.stringify(response.body.errors)}`);
  if (!response.body.data) throw new Error(`No data (HTTP ${response.status})`);
  return response.body.data;
}
