import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NESTED_QUERY } from '../hub/nested-fixture.js';
import { startHardenedHub, type HardenedHub } from './harness.js';

let hub: HardenedHub;

beforeAll(async () => {
  hub = await startHardenedHub('hardening_observability', { CORS_ORIGINS: 'https://front.example' });
  const now = new Date();
  const db = hub.connection.db!;
  await db.collection('syncRuns').insertMany([
    { status: 'SUCCEEDED', stats: { fetched: 5, created: 3, updated: 1, unchanged: 1, withdrawn: 0, quarantined: 2 }, startedAt: now },
    { status: 'FAILED', stats: { fetched: 0, created: 0, updated: 0, unchanged: 0, withdrawn: 0, quarantined: 0 }, startedAt: now },
  ]);
  await db.collection('quarantine').insertOne({ status: 'OPEN', reasons: ['bad'] });
  await db.collection('locks').insertOne({ _id: 'feed:x', holder: 'hub-a', run: null, expiresAt: new Date(Date.now() + 60_000), lastSlot: null } as never);
});

afterAll(async () => {
  await hub?.stop();
});

async function metrics(): Promise<string> {
  const response = await fetch(`${hub.url}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

describe('metrics', () => {
  it('count requests, latency and errors by operation, database commands, and ingest figures from the store', async () => {
    expect((await hub.gql(NESTED_QUERY, { n: 5 })).status).toBe(200);
    expect((await hub.gql('query Broken { resources(first: 1000) { totalCount } }')).status).toBe(400);
    const text = await metrics();
    expect(text).toMatch(/gx_graphql_requests_total\{operation="Nested",type="query",outcome="ok"\} [1-9]/);
    expect(text).toMatch(/gx_graphql_request_duration_seconds_count\{operation="Nested",type="query"\} [1-9]/);
    expect(text).toMatch(/gx_graphql_errors_total\{operation="Broken",code="QUERY_TOO_COMPLEX"\} 1/);
    expect(text).toMatch(/gx_http_requests_total\{method="POST",route="\/graphql",status="200"\} [1-9]/);
    expect(text).toMatch(/gx_db_command_duration_seconds_count\{command="find",outcome="ok"\} [1-9]/);
    expect(text).toContain('gx_sync_runs{status="SUCCEEDED"} 1');
    expect(text).toContain('gx_sync_runs{status="FAILED"} 1');
    expect(text).toContain('gx_ingest_records{outcome="created"} 3');
    expect(text).toContain('gx_ingest_records{outcome="quarantined"} 2');
    expect(text).toContain('gx_quarantine_open 1');
    expect(text).toContain('gx_lease_holders{holder="hub-a"} 1');
  });
});

describe('request log', () => {
  it('one line per request with operation, status, duration, viewer role and request id; no token', async () => {
    const token = await hub.adminToken();
    const before = hub.logs.length;
    const response = await hub.gql('query Mine { viewer { __typename } }', {}, token);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toBeTruthy();
    const lines = hub.logs.slice(before).filter((line) => line.msg === 'request');
    expect(lines).toHaveLength(1);
    expect(lines[0], JSON.stringify(lines[0])).toMatchObject({ requestId, method: 'POST', path: '/graphql', status: response.status, operationName: 'Mine', operationType: 'query', viewerRole: 'PLATFORM_ADMIN' });
    expect(typeof lines[0]!.durationMs).toBe('number');
    expect(hub.rawLogs.join('\n')).not.toContain(token);
    expect(hub.rawLogs.join('\n')).not.toContain(token.split('.')[2]!);
  });

  it('keeps a sane inbound request id and replaces a hostile one', async () => {
    const kept = await hub.post(JSON.stringify({ query: '{ __typename }' }), { 'x-request-id': 'lb-1234.abc' });
    expect(kept.headers.get('x-request-id')).toBe('lb-1234.abc');
    const replaced = await hub.post(JSON.stringify({ query: '{ __typename }' }), { 'x-request-id': `x;<script>${'y'.repeat(300)}` });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('HTTP headers', () => {
  it('helmet security headers on every response, CORS only for configured origins', async () => {
    const allowed = await hub.post(JSON.stringify({ query: '{ __typename }' }), { origin: 'https://front.example' });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://front.example');
    expect(allowed.headers.get('x-content-type-options')).toBe('nosniff');
    expect(allowed.headers.get('content-security-policy')).toContain("script-src 'self'");
    const other = await hub.post(JSON.stringify({ query: '{ __typename }' }), { origin: 'https://evil.example' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(hub.graphqlUrl, { method: 'OPTIONS', headers: { origin: 'https://front.example', 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(204);
  });

  it('GraphiQL is served under the CSP', async () => {
    const page = await fetch(hub.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).not.toMatch(/<script>(?!<\/script>)/);
  });
});

describe('readiness', () => {
  it('/readyz fails while shutting down', async () => {
    expect((await fetch(`${hub.url}/readyz`)).status).toBe(200);
    hub.markShuttingDown();
    const response = await fetch(`${hub.url}/readyz`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'shutting-down' });
  });
});
