import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Types, type Connection } from 'mongoose';
import { connectStore, createModels, ensureIndexes, type Models, type OrgUnitDoc } from '../../src/db/index.js';
import { createAuthRuntime, loadAuthConfig, type AuthRuntime, type GrantInput } from '../../src/domain/auth/index.js';
import { placementOf } from '../../src/domain/org/index.js';
import { createApp, type HubApp } from '../../src/http/index.js';
import { createLogger } from '../../src/logging/index.js';
import { computeSearchTerms, type Searchable } from '../../src/search/index.js';
import { uniqueDbName, uriForDb } from '../support/mongo.js';

/**
 * The whole hub over real HTTP for access tests: createApp with bearer authentication (HS256
 * secret below), the store over TCP, a small org tree and departments, users per role.
 */

export const JWT_SECRET = 'test-secret-for-access-tests-0123456789abcdef';
export const PASSWORD = 'correct horse battery';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];
}

export interface Hub {
  url: string;
  connection: Connection;
  models: Models;
  auth: AuthRuntime;
  units: Record<UnitKey, OrgUnitDoc>;
  /** POST /graphql, with `Authorization: Bearer token` when a token is given. */
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string | null, headers?: Record<string, string>): Promise<GraphQLResponse<T>>;
  /** Creates a user with the password PASSWORD and returns a token for them (issued through login). */
  user(username: string, grants: GrantInput[]): Promise<{ id: Types.ObjectId; token: string }>;
  close(): Promise<void>;
}

/**
 * 湖州市 (CITY) → 吴兴区 (D1) → 月河街道 (T1) → 月河社区 (V1)
 *               → 南浔区 (D2) → 练市镇 (T2) → 练市村 (V2)
 */
export type UnitKey = 'CITY' | 'D1' | 'T1' | 'V1' | 'D2' | 'T2' | 'V2';
const TREE: { key: UnitKey; code: string; name: string; level: 1 | 2 | 3 | 4; kind: OrgUnitDoc['kind']; parent: UnitKey | null }[] = [
  { key: 'CITY', code: '330500000000', name: '湖州市', level: 1, kind: 'CITY', parent: null },
  { key: 'D1', code: '330502000000', name: '吴兴区', level: 2, kind: 'DISTRICT', parent: 'CITY' },
  { key: 'T1', code: '330502001000', name: '月河街道', level: 3, kind: 'STREET', parent: 'D1' },
  { key: 'V1', code: '330502001001', name: '月河社区', level: 4, kind: 'COMMUNITY', parent: 'T1' },
  { key: 'D2', code: '330503000000', name: '南浔区', level: 2, kind: 'DISTRICT', parent: 'CITY' },
  { key: 'T2', code: '330503101000', name: '练市镇', level: 3, kind: 'TOWNSHIP', parent: 'D2' },
  { key: 'V2', code: '330503101201', name: '练市村', level: 4, kind: 'VILLAGE', parent: 'T2' },
];

export function codeOf(key: UnitKey): string {
  return TREE.find((unit) => unit.key === key)!.code;
}

async function insertTree(models: Models): Promise<Record<UnitKey, OrgUnitDoc>> {
  const units = {} as Record<UnitKey, OrgUnitDoc>;
  const now = new Date();
  for (const [index, spec] of TREE.entries()) {
    const parent = spec.parent ? units[spec.parent] : null;
    const unit: OrgUnitDoc = {
      _id: new Types.ObjectId(),
      code: spec.code,
      name: spec.name,
      level: spec.level,
      kind: spec.kind,
      parentId: parent?._id ?? null,
      ancestors: parent ? [...parent.ancestors, parent._id] : [],
      sortOrder: index,
      createdAt: now,
      updatedAt: now,
    };
    await models.OrgUnit.collection.insertOne(unit);
    units[spec.key] = unit;
  }
  for (const [code, zh, en] of [['health', '卫健', 'Health'], ['culture', '文旅', 'Culture']] as const) {
    await models.Department.collection.insertOne({ code, name: { zh, en }, contact: {}, sortOrder: 0, createdAt: now, updatedAt: now });
  }
  return units;
}

export interface ResourceSpec {
  kind: 'SERVICE' | 'POLICY' | 'EVENT';
  title: string;
  department: string;
  unit: OrgUnitDoc;
  status: string;
  confidentiality: string;
  extra?: Record<string, unknown>;
}

/** Inserts resources as the stores' writers do: placement and search terms filled. */
export async function insertResources(models: Models, specs: ResourceSpec[]): Promise<Types.ObjectId[]> {
  const now = Date.now();
  const docs = specs.map((spec, index) => {
    const base: Record<string, unknown> = {
      _id: new Types.ObjectId(),
      kind: spec.kind,
      title: spec.title,
      summary: `${spec.title}摘要`,
      department: spec.department,
      ...placementOf([spec.unit]),
      categories: ['矩阵分类'],
      tags: [],
      audience: [],
      confidentiality: spec.confidentiality,
      status: spec.status,
      provenance: [],
      version: 1,
      createdAt: new Date(now - index * 1000),
      updatedAt: new Date(now - index * 1000),
      ...(spec.kind === 'SERVICE' ? { legalBasisDocNumbers: [], conditions: [], materials: [], steps: [], locations: [] } : {}),
      ...(spec.kind === 'POLICY' ? { issuers: ['湖州市人民政府'], validity: 'VALID', attachments: [], interpretations: [], relatedServiceItemCodes: [] } : {}),
      ...(spec.kind === 'EVENT' ? { startsAt: new Date(now + 86_400_000), allDay: false } : {}),
      ...spec.extra,
    };
    base.searchTerms = computeSearchTerms(base as unknown as Searchable);
    return base;
  });
  if (docs.length > 0) await models.Resource.collection.insertMany(docs);
  return docs.map((doc) => doc._id as Types.ObjectId);
}

export async function startHub(prefix: string, env: Record<string, string> = {}): Promise<Hub> {
  const connection = await connectStore(uriForDb(uniqueDbName(prefix)));
  const models = createModels(connection);
  await ensureIndexes(models);
  const units = await insertTree(models);
  const auth = createAuthRuntime(models, loadAuthConfig({ AUTH_JWT_SECRET: JWT_SECRET, ...env }));
  const log = createLogger((process.env.TEST_LOG_LEVEL ?? 'silent') as 'silent');
  const hub: HubApp = await createApp({ connection, models, log, auth });
  const server: Server = hub.app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;

  const gql = async <T,>(query: string, variables: Record<string, unknown> = {}, token?: string | null, headers: Record<string, string> = {}): Promise<GraphQLResponse<T>> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as Omit<GraphQLResponse<T>, 'status'>) };
  };

  return {
    url,
    connection,
    models,
    auth,
    units,
    gql,
    async user(username, grants) {
      const user = await auth.service.createUserUnchecked({ username, displayName: username, password: PASSWORD, grants });
      const login = await gql<{ login: { token: string } }>(
        'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }',
        { u: username, p: PASSWORD },
      );
      if (!login.data?.login.token) throw new Error(`login failed for ${username}: ${JSON.stringify(login.errors)}`);
      return { id: user._id, token: login.data.login.token };
    },
    async close() {
      hub.markShuttingDown();
      await new Promise((resolve) => server.close(resolve));
      await hub.stop();
      await connection.close();
    },
  };
}

/** The first error code of a response. */
export function errorCode(response: GraphQLResponse<unknown>): string | undefined {
  return response.errors?.[0]?.extensions?.code;
}
