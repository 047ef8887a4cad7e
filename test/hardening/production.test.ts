import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectStore } from '../../src/db/index.js';
import { MongoRateLimitStore } from '../../src/http/limits/index.js';
import { NESTED_QUERY } from '../hub/nested-fixture.js';
import { uniqueDbName, uriForDb } from '../support/mongo.js';
import { startHardenedHub, type HardenedHub } from './harness.js';

/** Production mode: persisted-operations allowlist, no introspection or suggestions, rate limits in MongoDB. */

let hub: HardenedHub;
let admin: string;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

beforeAll(async () => {
  hub = await startHardenedHub('hardening_production', { NODE_ENV: 'production', RATE_LIMIT_IP_BURST: '40', RATE_LIMIT_IP_PER_SECOND: '1' });
  admin = await hub.adminToken();
});

afterAll(async () => {
  await hub?.stop();
});

const byHash = (hash: string, variables: Record<string, unknown> = {}) =>
  hub.post(JSON.stringify({ variables, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }));

describe('persisted-operations allowlist', () => {
  it('refuses an unknown hash and an unregistered query text', async () => {
    // Apollo answers an unknown hash with 200 (the APQ protocol: the client may retry with the text).
    const unknown = await byHash(sha256('{ departments { code } }'));
    expect(JSON.stringify(await unknown.json())).toContain('PERSISTED_QUERY_NOT_FOUND');
    const text = await hub.gql('{ departments { code } }');
    expect(text.status).toBe(400);
    expect(text.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('registration is for PLATFORM_ADMIN only, and validates the query', async () => {
    const register = 'mutation ($q: String!) { registerPersistedOperation(query: $q) { sha256Hash operationName } }';
    const anonymous = await hub.gql(register, { q: NESTED_QUERY });
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const invalid = await hub.gql(register, { q: '{ nope }' }, admin);
    expect(invalid.body.errors?.[0]?.extensions?.code, JSON.stringify(hub.logs.filter((line) => Number(line.level) >= 50))).toBe('BAD_USER_INPUT');
  });

  it('a registered operation runs by hash and by text, for anyone', async () => {
    const response = await hub.gql<{ registerPersistedOperation: { sha256Hash: string; operationName: string } }>(
      'mutation ($q: String!) { registerPersistedOperation(query: $q) { sha256Hash operationName } }',
      { q: NESTED_QUERY },
      admin,
    );
    expect(response.body.data?.registerPersistedOperation).toEqual({ sha256Hash: sha256(NESTED_QUERY), operationName: 'Nested' });
    const hashed = await byHash(sha256(NESTED_QUERY), { n: 3 });
    expect(hashed.status).toBe(200);
    const body = (await hashed.json()) as { data: { resources: { totalCount: number } } };
    expect(body.data.resources.totalCount).toBe(30);
    expect((await hub.gql(NESTED_QUERY, { n: 3 })).status).toBe(200);
    expect(await hub.connection.db!.collection('persistedOperations').countDocuments()).toBe(1);
  });
});

describe('introspection and suggestions', () => {
  it('are off in production mode', async () => {
    const introspection = await hub.gql('{ __schema { types { name } } }', {}, admin);
    expect(introspection.status).toBe(400);
    expect(JSON.stringify(introspection.body)).not.toContain('OrgUnit');
    const typo = await hub.gql('{ resourcs { totalCount } }', {}, admin);
    expect(typo.status).toBe(400);
    expect(typo.body.errors?.[0]?.message).not.toContain('Did you mean');
  });
});

describe('rate limits', () => {
  it('a burst past the limit gets 429 with Retry-After; the server stays up', async () => {
    const responses = await Promise.all(Array.from({ length: 80 }, () => byHash(sha256(NESTED_QUERY), { n: 1 })));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status >= 500)).toEqual([]);
    const limited = responses.filter((response) => response.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(30);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(0);
    for (const response of limited) expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(await limited[0]!.json())).toContain('RATE_LIMITED');
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
    expect(await hub.connection.db!.collection('rateLimits').countDocuments({ _id: { $regex: /^ip:/ } } as never)).toBeGreaterThan(0);
  });
});

describe('MongoRateLimitStore', () => {
  it('two instances share one bucket, and tokens come back at the rate', async () => {
    const connection = await connectStore(uriForDb(uniqueDbName('hardening_buckets')));
    try {
      const [a, b] = [MongoRateLimitStore.on(connection), MongoRateLimitStore.on(connection)];
      const bucket = { burst: 3, perSecond: 2 };
      const now = Date.now();
      const taken = [await a.take('ip:x', bucket, now), await b.take('ip:x', bucket, now), await a.take('ip:x', bucket, now)];
      expect(taken.every((result) => result.allowed)).toBe(true);
      const refused = await b.take('ip:x', bucket, now);
      expect(refused).toEqual({ allowed: false, retryAfterMs: 500 });
      expect((await a.take('ip:x', bucket, now + 500)).allowed).toBe(true);
      expect((await b.take('ip:x', bucket, now + 500)).allowed).toBe(false);
      expect((await a.take('ip:y', bucket, now)).allowed).toBe(true);
    } finally {
      await connection.dropDatabase();
      await connection.close();
    }
  });
});
