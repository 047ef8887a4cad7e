import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER, UPLOAD_LATEST_URL } from '../../src/ingest/index.js';
import { FeedService } from '../../src/domain/feeds/index.js';
import { departmentModel } from '../../src/db/models/department.js';
import type { Viewer } from '../../src/domain/visibility/index.js';
import { departmentAdmin, startApi, type ApiServer } from './api-support.js';
import { openHarness, resourcesOf, sampleRows, servicesCsv, servicesMapping, type Harness } from './harness.js';

let harness: Harness;
let api: ApiServer;
let service: FeedService;

beforeAll(async () => {
  harness = await openHarness('ingest_intake');
  api = await startApi(harness, { uploadsEnabled: true });
  service = new FeedService({ runtime: harness.runtime, Department: departmentModel(harness.connection) });
});

afterAll(async () => {
  await api?.close();
  await harness?.close();
});

function pushRecord(sourceId: string, title: string) {
  return { sourceId, kind: 'SERVICE', title, department: 'health', orgUnitCodes: ['330102001001'], tags: ['疫苗'] };
}

async function push(feedId: string, secret: string, body: string, headers: { timestamp?: string; signature?: string } = {}) {
  const timestamp = headers.timestamp ?? String(Math.floor(Date.now() / 1000));
  const response = await fetch(`${api.url}/api/feeds/${feedId}/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [TIMESTAMP_HEADER]: timestamp,
      [SIGNATURE_HEADER]: headers.signature ?? signWebhook(secret, timestamp, body),
    },
    body,
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

describe('webhook push', () => {
  it('syncs signed records and refuses bad signatures, stale timestamps and replays', async () => {
    const { feed, webhookSecret } = await service.register({
      name: '卫健推送', department: 'health', connector: 'webhook', targetKind: 'SERVICE', reviewPolicy: 'AUTO_PUBLISH',
    });
    expect(webhookSecret).toMatch(/^[0-9a-f]{64}$/);
    const stored = await harness.connection.collection('feeds').findOne({ _id: feed._id });
    expect(stored?.webhookSecret).toMatch(/^enc:v1:/);
    const id = feed._id.toHexString();
    const body = JSON.stringify({ records: [pushRecord('P-001', '流感疫苗接种'), pushRecord('P-002', '新冠疫苗加强针'), { sourceId: 'P-003', kind: 'SERVICE' }] });

    const accepted = await push(id, webhookSecret!, body);
    expect(accepted.status).toBe(200);
    expect(accepted.json.run).toMatchObject({ status: 'PARTIAL', stats: { fetched: 3, created: 2, quarantined: 1 } });
    expect(await resourcesOf(harness.connection).countDocuments({ 'provenance.feedId': feed._id })).toBe(2);

    // A second delivery differs from the first: within the same second an identical body and
    // timestamp would carry the first delivery's signature, which is (rightly) a replay.
    const again = JSON.stringify({ records: [pushRecord('P-002', '新冠疫苗加强针')] });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = signWebhook(webhookSecret!, timestamp, again);
    expect((await push(id, webhookSecret!, again, { timestamp, signature })).status).toBe(200);
    const replay = await push(id, webhookSecret!, again, { timestamp, signature });
    expect(replay).toMatchObject({ status: 409, json: { error: { code: 'REPLAYED' } } });

    const forged = await push(id, 'not-the-secret', body);
    expect(forged).toMatchObject({ status: 401, json: { error: { code: 'BAD_SIGNATURE' } } });
    const tampered = await push(id, webhookSecret!, body, { signature: signWebhook(webhookSecret!, timestamp, `${body} `) });
    expect(tampered.status).toBe(401);
    const old = String(Math.floor(Date.now() / 1000) - 3_600);
    const stale = await push(id, webhookSecret!, body, { timestamp: old, signature: signWebhook(webhookSecret!, old, body) });
    expect(stale).toMatchObject({ status: 401, json: { error: { code: 'STALE_TIMESTAMP' } } });
    const unsigned = await fetch(`${api.url}/api/feeds/${id}/webhook`, { method: 'POST', body });
    expect(unsigned.status).toBe(401);
    const bad = await push(id, webhookSecret!, '{"records": "nope"}');
    expect(bad).toMatchObject({ status: 400, json: { error: { code: 'BAD_BODY' } } });
    expect((await push('64b7f0000000000000000000', webhookSecret!, body)).status).toBe(404);

    // A push never withdraws what it does not mention.
    const partial = JSON.stringify({ records: [pushRecord('P-001', '流感疫苗接种（更新）')] });
    const update = await push(id, webhookSecret!, partial);
    expect(update.json.run).toMatchObject({ stats: { updated: 1, withdrawn: 0 } });
    expect(await resourcesOf(harness.connection).countDocuments({ 'provenance.feedId': feed._id, status: 'PUBLISHED' })).toBe(2);
  });
});

describe('uploads', () => {
  async function upload(feedId: string, name: string, content: string) {
    const form = new FormData();
    form.append('file', new Blob([content], { type: 'text/csv' }), name);
    const response = await fetch(`${api.url}/api/feeds/${feedId}/upload`, { method: 'POST', body: form });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  it('keeps every uploaded version and syncs it through the csv connector', async () => {
    const { feed } = await service.register({
      name: '卫健上传', department: 'health', connector: 'csv', targetKind: 'SERVICE', reviewPolicy: 'AUTO_PUBLISH',
      config: { url: UPLOAD_LATEST_URL, idPath: '编码' }, mapping: servicesMapping,
    });
    const id = feed._id.toHexString();
    const rows = sampleRows(4, '30');
    const first = await upload(id, 'services.csv', servicesCsv(rows));
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ file: { version: 1, filename: 'services.csv' }, run: { status: 'SUCCEEDED', stats: { created: 4 } } });

    const second = await upload(id, 'services-v2.csv', servicesCsv(rows.slice(0, 3)));
    expect(second.json).toMatchObject({ file: { version: 2 }, run: { stats: { unchanged: 3, withdrawn: 1 } } });
    const files = await harness.runtime.models.FeedFile.find({ feed: feed._id }).sort({ version: 1 }).lean();
    expect(files.map((file) => [file.version, file.filename])).toEqual([[1, 'services.csv'], [2, 'services-v2.csv']]);

    expect((await upload(id, 'notes.txt', 'hello')).json).toMatchObject({ error: { code: 'BAD_UPLOAD' } });
  });

  it('lets only an admin of the feed\'s department upload when the app authenticates', async () => {
    const { feed } = await service.register({
      name: '卫健上传（鉴权）', department: 'health', connector: 'csv', targetKind: 'SERVICE', reviewPolicy: 'AUTO_PUBLISH',
      config: { url: UPLOAD_LATEST_URL, idPath: '编码' }, mapping: servicesMapping,
    });
    const tokens: Record<string, Viewer> = { 'Bearer health': departmentAdmin('health'), 'Bearer education': departmentAdmin('education') };
    const guarded = await startApi(harness, {
      uploadsEnabled: true,
      viewerOf: async (req) => {
        const header = req.get('authorization');
        if (!header) return { kind: 'anonymous' };
        const viewer = tokens[header];
        if (!viewer) throw new Error('bad token');
        return viewer;
      },
    });
    const send = async (authorization?: string) => {
      const form = new FormData();
      form.append('file', new Blob([servicesCsv(sampleRows(2, '31'))], { type: 'text/csv' }), 'a.csv');
      const response = await fetch(`${guarded.url}/api/feeds/${feed._id.toHexString()}/upload`, {
        method: 'POST',
        body: form,
        headers: authorization ? { authorization } : {},
      });
      return { status: response.status, json: (await response.json()) as Record<string, unknown> };
    };
    try {
      expect((await send()).status).toBe(401);
      expect((await send('Bearer forged')).status).toBe(401);
      expect(await send('Bearer education')).toMatchObject({ status: 404, json: { error: { code: 'NOT_FOUND' } } });
      expect(await send('Bearer health')).toMatchObject({ status: 200, json: { file: { version: 1 }, run: { stats: { created: 2 } } } });
      const stored = await harness.runtime.models.FeedFile.findOne({ feed: feed._id }).lean();
      expect(stored?.uploadedBy).toBe('health-admin');
    } finally {
      await guarded.close();
    }
  });

  it('refuses uploads when they are disabled', async () => {
    const closed = await startApi(harness, { uploadsEnabled: false });
    try {
      const form = new FormData();
      form.append('file', new Blob(['a,b\n'], { type: 'text/csv' }), 'x.csv');
      const response = await fetch(`${closed.url}/api/feeds/64b7f0000000000000000000/upload`, { method: 'POST', body: form });
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'UPLOADS_DISABLED' } });
    } finally {
      await closed.close();
    }
  });
});
