import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Connection } from 'mongoose';
import { pino } from 'pino';
import { loadHardeningConfig } from '../../src/config/index.js';
import { connectStore, createModels, ensureIndexes, type Models } from '../../src/db/index.js';
import { createAuthRuntime, loadAuthConfig, type AuthRuntime } from '../../src/domain/auth/index.js';
import { createApp, type HubApp } from '../../src/http/index.js';
import { insertNestedCatalogue } from '../hub/nested-fixture.js';
import { uniqueDbName, uriForDb } from '../support/mongo.js';

/**
 * The hub's real app over HTTP, with authentication and the hardening settings of `env`
 * (as the environment would give them), a nested catalogue of 30 resources, and every log
 * line it writes kept (pino JSON, raw and parsed).
 */

const JWT_SECRET = 'hardening-test-secret-0123456789abcdef';
const PASSWORD = 'correct horse battery staple';

export interface HardenedHub {
  url: string;
  graphqlUrl: string;
  models: Models;
  connection: Connection;
  auth: AuthRuntime;
  rawLogs: string[];
  logs: Record<string, unknown>[];
  post(body: string, headers?: Record<string, string>): Promise<Response>;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<{ status: number; headers: Headers; body: GqlBody<T> }>;
  /** A PLATFORM_ADMIN token, issued through login. */
  adminToken(): Promise<string>;
  markShuttingDown(): void;
  stop(): Promise<void>;
}

export interface GqlBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export async function startHardenedHub(prefix: string, env: Record<string, string> = {}): Promise<HardenedHub> {
  const connection = await connectStore(uriForDb(uniqueDbName(prefix)), { monitorCommands: true });
  const models = createModels(connection);
  await ensureIndexes(models);
  await insertNestedCatalogue(models, 30);

  const rawLogs: string[] = [];
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        rawLogs.push(line);
        logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  const log = pino({ level: 'info', redact: ['req.headers.authorization', '*.password', '*.token'] }, sink);
  const auth = createAuthRuntime(models, loadAuthConfig({ AUTH_JWT_SECRET: JWT_SECRET }));
  const hub: HubApp = await createApp({ connection, models, log, auth, hardening: loadHardeningConfig(env) });
  const server: Server = hub.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const graphqlUrl = `${url}/graphql`;

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers }, body });
  let token: string | null = null;
  const gql = async <T,>(query: string, variables: Record<string, unknown> = {}, bearer?: string) => {
    const response = await post(JSON.stringify({ query, variables }), bearer ? { authorization: `Bearer ${bearer}` } : {});
    return { status: response.status, headers: response.headers, body: (await response.json()) as GqlBody<T> };
  };

  return {
    url,
    graphqlUrl,
    models,
    connection,
    auth,
    rawLogs,
    logs,
    post,
    gql,
    async adminToken() {
      if (token) return token;
      await auth.service.createUserUnchecked({ username: 'root', displayName: 'root', password: PASSWORD, grants: [{ role: 'PLATFORM_ADMIN' }] });
      const response = await gql<{ login: { token: string } }>('mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }', { u: 'root', p: PASSWORD });
      const issued = response.body.data!.login.token;
      token = issued;
      return issued;
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
