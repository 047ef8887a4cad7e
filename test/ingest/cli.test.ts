import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../connectors/testing/index.js';
import { createCsvFeed, openHarness, resourcesOf, sampleRows, servicesCsv, type Harness } from './harness.js';

const run = promisify(execFile);
let harness: Harness;
let server: LocalServer;

beforeAll(async () => {
  harness = await openHarness('ingest_cli');
  server = await startLocalServer((_request, response) => {
    response.setHeader('content-type', 'text/csv');
    response.end(servicesCsv(sampleRows(6, '40')));
  });
});

afterAll(async () => {
  await server?.close();
  await harness?.close();
});

function sync(...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'src/cli/sync.ts', ...args], {
    env: { ...process.env, MONGODB_URI: harness.uri, HUB_FETCH_ALLOWLIST: '127.0.0.1', LOG_LEVEL: 'silent' },
  });
}

describe('npm run sync', () => {
  it('runs a feed by name and prints the run', async () => {
    const feedId = await createCsvFeed(harness.runtime, `${server.url}/cli.csv`, { name: '命令行数据源' });
    const { stdout } = await sync('命令行数据源');
    expect(JSON.parse(stdout)).toMatchObject({ feed: '命令行数据源', status: 'SUCCEEDED', stats: { created: 6 } });
    expect(await resourcesOf(harness.connection).countDocuments({ 'provenance.feedId': feedId })).toBe(6);
    const runs = await harness.runtime.models.SyncRun.find({ feed: feedId }).lean();
    expect(runs.map((r) => r.trigger)).toEqual(['CLI']);
  });

  it('exits non-zero for an unknown feed', async () => {
    await expect(sync('没有这个数据源')).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/Feed not found/) });
  });
});
