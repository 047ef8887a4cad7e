import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer } from '../../connectors/testing/index.js';
import { createIngestRuntime, ensureIngestIndexes, runFeed, type IngestRuntime } from '../../src/ingest/index.js';
import { startTestHub, type TestHub } from '../hub/harness.js';
import { seedOrgTree, silentLog } from './harness.js';

/** A merged policy's provenance entries, as the GraphQL API serves them. */

let hub: TestHub;
let runtime: IngestRuntime;
let server: LocalServer;
const bodies = new Map<string, unknown[]>();

beforeAll(async () => {
  hub = await startTestHub('ingest_merge_gql');
  runtime = createIngestRuntime(hub.connection, { log: silentLog, fetch: { allowlist: ['127.0.0.1'], retries: 0, timeoutMs: 5_000 } });
  await ensureIngestIndexes(runtime.models);
  await seedOrgTree(hub.connection);
  await hub.models.Department.create({ code: 'hrss', name: { zh: '人力资源和社会保障', en: 'HRSS' } });
  server = await startLocalServer((_request, response, url) => {
    response.setHeader('content-type', 'application/json; charset=utf-8');
    response.end(JSON.stringify({ data: bodies.get(url.pathname) ?? [] }));
  });
});

afterAll(async () => {
  await server?.close();
  await hub?.stop();
});

async function feed(department: string, path: string) {
  const created = await runtime.models.Feed.create({
    name: `${department} 政策`,
    department,
    connector: 'rest',
    config: { url: `${server.url}${path}`, recordsPath: 'data', idPath: 'id' },
    mapping: {
      kind: 'POLICY',
      constants: { department },
      fields: [
        { target: 'title', source: 'title' },
        { target: 'docNumber', source: 'wh' },
        { target: 'issuers', source: 'jg' },
      ],
    },
    targetKind: 'POLICY',
    reviewPolicy: 'AUTO_PUBLISH',
    orgScope: ['330100'],
    withdrawalGuard: 1,
  });
  return created._id;
}

describe('merged policy over GraphQL', () => {
  it('lists one provenance entry per feed carrying the policy, with the issuer copy and dropped copies marked', async () => {
    const health = await feed('health', '/health');
    const hrss = await feed('hrss', '/hrss');
    const policy = { title: '关于进一步做好稳就业工作的通知', wh: '浙人社发〔2025〕7号', jg: '浙江省人力资源和社会保障厅' };
    bodies.set('/health', [{ id: 'h7', ...policy }, { id: 'h8', title: '关于做好流感防治工作的通知', wh: '湖卫健发〔2025〕1号', jg: '湖州市卫生健康委员会' }]);
    bodies.set('/hrss', [{ id: 'r7', ...policy }]);
    for (const id of [health, hrss]) {
      const outcome = await runFeed(runtime, id, { trigger: 'MANUAL' });
      expect(outcome.started && outcome.run.status).toBe('SUCCEEDED');
    }
    bodies.set('/health', [{ id: 'h8', title: '关于做好流感防治工作的通知', wh: '湖卫健发〔2025〕1号', jg: '湖州市卫生健康委员会' }]);
    await runFeed(runtime, health, { trigger: 'MANUAL' });

    const response = await hub.gql<{ policies: { totalCount: number; edges: Array<{ node: Record<string, unknown> }> } }>(`{
      policies(first: 10, filter: { departments: ["hrss"] }) {
        edges { node { title department { code } provenance { feedId sourceId issuerCopy droppedAt changedAt } } }
      }
    }`);
    expect(response.body.errors).toBeUndefined();
    const nodes = response.body.data!.policies.edges.map((edge) => edge.node);
    expect(nodes).toHaveLength(1);
    const provenance = nodes[0]!.provenance as Array<Record<string, unknown>>;
    expect(provenance).toEqual([
      expect.objectContaining({ feedId: health.toHexString(), sourceId: 'h7', issuerCopy: false, droppedAt: expect.any(String) }),
      expect.objectContaining({ feedId: hrss.toHexString(), sourceId: 'r7', issuerCopy: true, droppedAt: null, changedAt: expect.any(String) }),
    ]);
  });
});
