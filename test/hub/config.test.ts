import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

describe('config', () => {
  it('has defaults for everything', () => {
    expect(loadConfig({})).toEqual({
      mongodbUri: undefined,
      port: 4000,
      host: '0.0.0.0',
      dataDir: './data',
      logLevel: 'info',
      seedDemoData: true,
      embeddedMongoPort: 0,
      shutdownTimeoutMs: 10_000,
      hardening: expect.objectContaining({ production: false, persistedOperations: 'off' }),
    });
  });

  it('reads the environment, treating empty values as unset', () => {
    const config = loadConfig({ MONGODB_URI: 'mongodb://db.example:27017/hub?replicaSet=rs0', PORT: '8080', LOG_LEVEL: 'debug', SEED_DEMO_DATA: 'false', DATA_DIR: '' });
    expect(config).toMatchObject({ mongodbUri: 'mongodb://db.example:27017/hub?replicaSet=rs0', port: 8080, logLevel: 'debug', seedDemoData: false, dataDir: './data' });
  });

  it('names every bad variable with its value, in Chinese and English', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', MONGODB_URI: 'postgres://x', LOG_LEVEL: 'loud', SEED_DEMO_DATA: 'maybe' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { message, problems } = error as ConfigError;
    expect(problems).toHaveLength(4);
    expect(message).toContain('配置无效 / Invalid configuration');
    expect(message).toContain('PORT="eighty"');
    expect(message).toContain('MONGODB_URI="postgres://x": 应为 mongodb:// 或 mongodb+srv:// 开头的连接串 / must be a mongodb:// or mongodb+srv:// URI');
    expect(message).toContain('LOG_LEVEL="loud"');
    expect(message).toContain('SEED_DEMO_DATA="maybe"');
  });

  it('refuses out-of-range ports', () => {
    expect(() => loadConfig({ PORT: '70000' })).toThrow(/PORT="70000": 应在 0–65535 之间 \/ must be 0–65535/);
  });
});
