import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, errorCode, JWT_SECRET, PASSWORD, startHub, type Hub } from './harness.js';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** Bearer tokens, login with lockout, and the viewer query, over real HTTP. */

const VIEWER = '{ viewer { authenticated roles user { username } grants { role orgUnit { code } department { code } stages } } }';
const LOGIN = 'mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token expiresAt user { username } } }';

function sign(claims: Record<string, unknown>, secret: string | Uint8Array, options: { expiresIn?: string | number; issuer?: string; audience?: string } = {}): Promise<string> {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(options.issuer ?? 'gongxiang-hub')
    .setAudience(options.audience ?? 'gongxiang-hub')
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h')
    .sign(key);
}

describe('HS256 tokens and local login', () => {
  let hub: Hub;
  let member: { id: { toHexString(): string }; token: string };
  let admin: { token: string };

  beforeAll(async () => {
    hub = await startHub('access_auth', { AUTH_MAX_FAILED_LOGINS: '3', AUTH_LOCKOUT_SECONDS: '6' });
    admin = await hub.user('root', [{ role: 'PLATFORM_ADMIN' }]);
    member = await hub.user('villager', [{ role: 'MEMBER', orgUnitCode: codeOf('V1') }]);
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('is anonymous without a token', async () => {
    const response = await hub.gql(VIEWER);
    expect(response.data).toEqual({ viewer: { authenticated: false, roles: [], user: null, grants: [] } });
  });

  it('logs in and shows who I am: roles and scopes', async () => {
    const login = await hub.gql<{ login: { token: string; expiresAt: string; user: { username: string } } }>(LOGIN, { u: 'VILLAGER', p: PASSWORD });
    expect(login.errors).toBeUndefined();
    expect(new Date(login.data!.login.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const me = await hub.gql(VIEWER, {}, login.data!.login.token);
    expect(me.data).toEqual({
      viewer: { authenticated: true, roles: ['MEMBER'], user: { username: 'villager' }, grants: [{ role: 'MEMBER', orgUnit: { code: codeOf('V1') }, department: null, stages: [] }] },
    });
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    const wrong = await hub.gql(LOGIN, { u: 'root', p: 'not the password' });
    const unknown = await hub.gql(LOGIN, { u: 'nobody', p: 'not the password' });
    expect(errorCode(wrong)).toBe('UNAUTHENTICATED');
    expect(errorCode(unknown)).toBe('UNAUTHENTICATED');
    expect(wrong.errors![0]!.message).toBe(unknown.errors![0]!.message);
  });

  it('locks an account after repeated failures, then lets it in again after the lockout', async () => {
    await hub.user('target', [{ role: 'MEMBER', orgUnitCode: codeOf('V1') }]);
    for (let attempt = 0; attempt < 3; attempt += 1) expect(errorCode(await hub.gql(LOGIN, { u: 'target', p: 'guess-guess-guess' }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await hub.gql(LOGIN, { u: 'target', p: PASSWORD }))).toBe('UNAUTHENTICATED');
    const locked = await hub.models.User.findOne({ username: 'target' }).lean();
    expect(locked!.lockedUntil!.getTime()).toBeGreaterThan(Date.now());
    await new Promise((resolve) => setTimeout(resolve, locked!.lockedUntil!.getTime() - Date.now() + 100));
    const again = await hub.gql(LOGIN, { u: 'target', p: PASSWORD });
    expect(again.errors).toBeUndefined();
  });

  it('stores only an argon2id hash of the password', async () => {
    const user = await hub.models.User.findOne({ username: 'root' }).lean();
    expect(user!.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(user!.passwordHash).not.toContain(PASSWORD);
  });

  const refusals: [string, () => Promise<string>][] = [
    ['an expired token', () => sign({ sub: member.id.toHexString() }, JWT_SECRET, { expiresIn: Math.floor(Date.now() / 1000) - 60 })],
    ['a bad signature', () => sign({ sub: member.id.toHexString() }, 'another-secret-another-secret-another-secret')],
    [
      'alg: none',
      async () => {
        const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
        return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: member.id.toHexString(), iss: 'gongxiang-hub', aud: 'gongxiang-hub', exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
      },
    ],
    ['another issuer', () => sign({ sub: member.id.toHexString() }, JWT_SECRET, { issuer: 'someone-else' })],
    ['another audience', () => sign({ sub: member.id.toHexString() }, JWT_SECRET, { audience: 'another-app' })],
    ['a subject that is no user', () => sign({ sub: '0123456789abcdef01234567' }, JWT_SECRET)],
    ['garbage', async () => 'not.a.token'],
  ];

  it.each(refusals)('refuses %s with 401 UNAUTHENTICATED', async (_name, make) => {
    const response = await hub.gql(VIEWER, {}, await make());
    expect(response.status).toBe(401);
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
    expect(response.data ?? null).toBeNull();
  });

  it('accepts a token the hub signed itself (the control for the refusals above)', async () => {
    const response = await hub.gql(VIEWER, {}, await sign({ sub: member.id.toHexString() }, JWT_SECRET));
    expect(response).toMatchObject({ status: 200, data: { viewer: { authenticated: true } } });
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    const response = await hub.gql(VIEWER, {}, null, { authorization: 'Basic cm9vdDpyb290' });
    expect(response.status).toBe(401);
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
  });

  it("refuses a deleted user's token at once", async () => {
    const doomed = await hub.user('doomed', [{ role: 'MEMBER', orgUnitCode: codeOf('V1') }]);
    expect((await hub.gql(VIEWER, {}, doomed.token)).status).toBe(200);
    const { toGlobalId } = await import('../../src/graphql/index.js');
    const deleted = await hub.gql('mutation($id: ID!) { deleteUser(id: $id) { username } }', { id: toGlobalId('User', doomed.id as never) }, admin.token);
    expect(deleted.errors).toBeUndefined();
    const after = await hub.gql(VIEWER, {}, doomed.token);
    expect(after.status).toBe(401);
    expect(errorCode(after)).toBe('UNAUTHENTICATED');
    expect(errorCode(await hub.gql(LOGIN, { u: 'doomed', p: PASSWORD }))).toBe('UNAUTHENTICATED');
  });
});

describe('the short viewer cache (AUTH_VIEWER_CACHE_SECONDS)', () => {
  let hub: Hub;
  afterAll(async () => {
    await hub?.close();
  });

  it("lets another instance's deletion through within the cache time, and no longer", async () => {
    hub = await startHub('access_viewer_cache', { AUTH_VIEWER_CACHE_SECONDS: '1' });
    const user = await hub.user('elsewhere', [{ role: 'MEMBER', orgUnitCode: codeOf('V1') }]);
    expect((await hub.gql(VIEWER, {}, user.token)).status).toBe(200);
    // Deleted by another hub instance: this process learns it when its cached viewer expires.
    await hub.models.User.updateOne({ _id: user.id }, { $set: { deletedAt: new Date() } });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const after = await hub.gql(VIEWER, {}, user.token);
    expect(after.status).toBe(401);
    expect(errorCode(after)).toBe('UNAUTHENTICATED');
  });
});

describe('tokens of an external identity provider (JWKS, ES256/RS256)', () => {
  let hub: Hub;
  let jwksServer: Server;
  let signingKey: PrivateKey;
  let rsaKey: PrivateKey;

  beforeAll(async () => {
    const es = await generateKeyPair('ES256');
    const rs = await generateKeyPair('RS256');
    signingKey = es.privateKey;
    rsaKey = rs.privateKey;
    const keys = [{ ...(await exportJWK(es.publicKey)), kid: 'es-1', alg: 'ES256', use: 'sig' }, { ...(await exportJWK(rs.publicKey)), kid: 'rs-1', alg: 'RS256', use: 'sig' }];
    jwksServer = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys }));
    });
    jwksServer.listen(0, '127.0.0.1');
    await new Promise((resolve) => jwksServer.once('listening', resolve));
    const jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/jwks.json`;
    hub = await startHub('access_jwks', { AUTH_JWT_SECRET: '', AUTH_JWKS_URL: jwksUrl, AUTH_JWT_ISSUER: 'https://idp.example', AUTH_JWT_AUDIENCE: 'hub' });
    await hub.auth.service.createUserUnchecked({ username: 'alice', displayName: 'Alice', externalSubject: 'idp|alice', grants: [{ role: 'ORG_ADMIN', orgUnitCode: codeOf('T1') }] });
  });
  afterAll(async () => {
    await hub?.close();
    await new Promise((resolve) => jwksServer?.close(resolve));
  });

  const external = (alg: 'ES256' | 'RS256', kid: string, key: () => PrivateKey, sub = 'idp|alice') =>
    new SignJWT({}).setProtectedHeader({ alg, kid }).setSubject(sub).setIssuer('https://idp.example').setAudience('hub').setExpirationTime('5m').sign(key());

  it('accepts ES256 and RS256 tokens for a user mapped by subject', async () => {
    for (const token of [await external('ES256', 'es-1', () => signingKey), await external('RS256', 'rs-1', () => rsaKey)]) {
      const response = await hub.gql(VIEWER, {}, token);
      expect(response.data).toMatchObject({ viewer: { authenticated: true, roles: ['ORG_ADMIN'], user: { username: 'alice' } } });
    }
  });

  it('refuses an unknown subject, an HS256 token, and local login (no secret configured)', async () => {
    expect(errorCode(await hub.gql(VIEWER, {}, await external('ES256', 'es-1', () => signingKey, 'idp|mallory')))).toBe('UNAUTHENTICATED');
    const hs = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('idp|alice').setIssuer('https://idp.example').setAudience('hub').setExpirationTime('5m').sign(new TextEncoder().encode('x'.repeat(40)));
    expect(errorCode(await hub.gql(VIEWER, {}, hs))).toBe('UNAUTHENTICATED');
    expect(errorCode(await hub.gql(LOGIN, { u: 'alice', p: 'whatever-whatever' }))).toBe('FORBIDDEN');
  });
});
