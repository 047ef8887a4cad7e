import { describe, expect, it } from 'vitest';
import { loadSecretKey, openConfig, redactConfig, REDACTED, sealConfig } from './secrets.js';

const key = Buffer.alloc(32, 7);
const otherKey = Buffer.alloc(32, 9);

describe('feed credential sealing', () => {
  const config = { url: 'https://example.gov.cn/api', auth: { type: 'basic', username: 'hub', password: 'p@ss' }, headers: { 'X-Api-Key': 'k-123', Accept: 'json' } };

  it('seals credential-named values with AES-256-GCM and opens them again', () => {
    const sealed = sealConfig(config, undefined, key);
    expect(sealed.url).toBe(config.url);
    expect(sealed.auth.type).toBe('basic');
    expect(sealed.headers.Accept).toBe('json');
    expect(sealed.auth.password).toMatch(/^enc:v1:/);
    expect(sealed.headers['X-Api-Key']).toMatch(/^enc:v1:/);
    expect(JSON.stringify(sealed)).not.toContain('p@ss');
    expect(sealConfig(config, undefined, key).auth.password).not.toBe(sealed.auth.password); // fresh IV each time
    expect(openConfig(sealed, key)).toEqual(config);
    expect(() => openConfig(sealed, otherKey)).toThrow(/cannot be decrypted/);
  });

  it('redacts for the API and keeps the stored value when the redaction is sent back', () => {
    const sealed = sealConfig(config, undefined, key);
    const shown = redactConfig(sealed);
    expect(shown.auth.password).toBe(REDACTED);
    expect(shown.auth.username).toBe('hub');
    const resent = sealConfig(shown, sealed, key);
    expect(resent.auth.password).toBe(sealed.auth.password);
    expect(() => sealConfig(shown, undefined, key)).toThrow(/redacted/);
  });

  it('requires a 32-byte key in production and warns in development', () => {
    expect(() => loadSecretKey({ NODE_ENV: 'production' })).toThrow(/HUB_SECRET_KEY/);
    expect(() => loadSecretKey({ HUB_SECRET_KEY: 'short' })).toThrow(/32 bytes/);
    expect(loadSecretKey({ HUB_SECRET_KEY: 'ab'.repeat(32) })).toHaveLength(32);
    const warnings: string[] = [];
    expect(loadSecretKey({}, (message) => warnings.push(message))).toHaveLength(32);
    expect(warnings[0]).toMatch(/development key/);
  });
});
