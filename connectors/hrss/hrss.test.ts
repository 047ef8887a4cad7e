import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, fixture, startLocalServer, testReadContext, type LocalServer } from '../testing/index.js';
import { hrssConnector } from './index.js';

const pages: Record<string, Buffer> = {
  '0': fixture(import.meta.url, 'services.json'),
  '3': fixture(import.meta.url, 'services-offset-3.json'),
};

let server: LocalServer;
beforeAll(async () => {
  server = await startLocalServer((_request, response, url) => {
    const page = url.pathname === '/api/sxqd' ? pages[url.searchParams.get('offset') ?? ''] : undefined;
    if (!page || url.searchParams.get('limit') !== '3') {
      response.statusCode = 404;
      return response.end('{"code":"404","message":"未找到"}');
    }
    response.setHeader('content-type', 'application/json');
    response.end(page);
  });
});
afterAll(() => server.close());

const config = () => hrssConnector.configSchema.parse({ dataset: 'services', url: `${server.url}/api/sxqd`, pageSize: 3 });

describe('hrss profile: service items (offset-paged JSON)', () => {
  it('reads both pages up to the envelope total, keeping item codes as text', async () => {
    const result = await collect(hrssConnector.read(config(), undefined, testReadContext()));
    expect(result.records.map((r) => r.sourceId)).toEqual(['000109001000', '000109005000', '000109010000', '000109017000', '000109099000']);
    expect(result.records[0]!.cursor).toBe('20260915');
    expect(server.requests.filter((r) => r.startsWith('/api/sxqd'))).toEqual(['/api/sxqd?offset=0&limit=3', '/api/sxqd?offset=3&limit=3']);
  });

  it('maps time limits (即办, full-width 15个工作日), lists split on ；, and full-width codes', async () => {
    const cfg = config();
    const { records } = await collect(hrssConnector.read(cfg, undefined, testReadContext()));
    const [registration, loan] = records.map((r) => hrssConnector.map(r, cfg));
    expect(registration).toMatchObject({
      ok: true,
      record: { kind: 'SERVICE', department: 'hrss', title: '就业失业登记', timeLimitDays: 0, isFree: true, orgUnitCodes: ['330502'] },
    });
    expect(loan).toMatchObject({
      ok: true,
      record: {
        itemCode: '000109005000',
        timeLimitDays: 15,
        orgUnitCodes: ['330503'],
        consultPhone: '0572-3021668',
        materials: ['创业担保贷款申请表', '营业执照', '居民身份证', '创业计划书'],
        conditions: ['属于创业担保贷款扶持对象', '在本市创业并办理营业执照'],
      },
    });
  });

  it('rejects the item that has no name', async () => {
    const cfg = config();
    const { records } = await collect(hrssConnector.read(cfg, undefined, testReadContext()));
    const blank = hrssConnector.map(records[4]!, cfg);
    expect(blank.ok).toBe(false);
    if (!blank.ok) expect(blank.reasons.some((reason) => reason.startsWith('title'))).toBe(true);
  });

  it('refuses a bad config and a bad state', async () => {
    const bad = hrssConnector.configSchema.safeParse(JSON.parse(fixture(import.meta.url, 'bad-config.json').toString('utf8')));
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['pageSize', 'auth.param']));
    const state = JSON.parse(fixture(import.meta.url, 'bad-state.json').toString('utf8')) as Record<string, unknown>;
    await expect(collect(hrssConnector.read(config(), state, testReadContext()))).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });

  it('refuses the cloud metadata address even when the config is otherwise valid', async () => {
    const cfg = hrssConnector.configSchema.parse({ dataset: 'services', url: 'http://169.254.169.254/latest/meta-data' });
    await expect(collect(hrssConnector.read(cfg, undefined, testReadContext()))).rejects.toMatchObject({ errorClass: 'config' });
  });
});
