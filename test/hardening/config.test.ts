import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

describe('hardening config', () => {
  it('development defaults: limits on, allowlist and rate limits off, introspection on', () => {
    const { hardening } = loadConfig({});
    expect(hardening).toMatchObject({
      production: false,
      limits: { maxDepth: 10, maxCost: 5000, maxBatch: 1, exposeLimits: false },
      introspection: true,
      fieldSuggestions: true,
      persistedOperations: 'off',
      rateLimit: { enabled: false, store: 'mongo' },
      corsOrigins: [],
    });
  });

  it('NODE_ENV=production switches on production mode; each switch can be overridden', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).hardening).toMatchObject({
      production: true,
      introspection: false,
      fieldSuggestions: false,
      persistedOperations: 'allowlist',
      rateLimit: { enabled: true },
    });
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'true', PERSISTED_OPERATIONS: 'off' }).hardening).toMatchObject({
      introspection: true,
      persistedOperations: 'off',
    });
    expect(loadConfig({ HUB_MODE: 'production' }).hardening.production).toBe(true);
  });

  it('reads lists and numbers, and names bad values', () => {
    const { hardening } = loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example', GRAPHQL_MAX_DEPTH: '7' });
    expect(hardening.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    expect(hardening.limits.maxDepth).toBe(7);
    expect(() => loadConfig({ GRAPHQL_MAX_COST: '0', PERSISTED_OPERATIONS: 'maybe' })).toThrow(ConfigError);
    expect(() => loadConfig({ GRAPHQL_MAX_COST: '0' })).toThrow(/GRAPHQL_MAX_COST="0"/);
  });
});
