import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Types } from 'mongoose';
import { startLocalServer, type LocalServer } from '../../connectors/testing/index.js';
import { departmentModel } from '../../src/db/models/department.js';
import { orgUnitModel } from '../../src/db/models/org-unit.js';
import type { PolicyDoc } from '../../src/db/models/resource.js';
import { policyRecordSchema } from '../../src/domain/catalog/normalized-record.js';
import { placementOf } from '../../src/domain/org/index.js';
import { runFeed } from '../../src/ingest/index.js';
import { applyResourcePlan, planResourceWrites, type StorableRecord, type WriteContext } from '../../src/ingest/resource-writer.js';
import { openHarness, resourcesOf, type Harness } from './harness.js';

/**
 * The same policy from several feeds is one resource (src/ingest/merge), on the real rest
 * connector reading JSON from a real local HTTP server: one path per feed.
 */

interface PolicyRow {
  id: string;
  title: string;
  wh?: string; // 发文字号
  jg?: string; // 发文机关, space separated
  url?: string;
}

let harness: Harness;
let server: LocalServer;
const bodies = new Map<string, PolicyRow[]>();

beforeAll(async () => {
  harness = await openHarness('ingest_merge');
  const Department = departmentModel(harness.connection);
  await Department.updateOne({ code: 'health' }, { $set: { 'name.zh': '卫生健康' } });
  await Department.create({ code: 'hrss', name: { zh: '人力资源和社会保障', en: 'HRSS' } });
  await Department.create({ code: 'justice', name: { zh: '司法行政', en: 'Justice' } });
  server = await startLocalServer((_request, response, url) => {
    response.setHeader('content-type', 'application/json; charset=utf-8');
    response.end(JSON.stringify({ data: bodies.get(url.pathname) ?? [] }));
  });
});

afterAll(async () => {
  await server?.close();
  await harness?.close();
});

beforeEach(() => harness.resetCounters());

function policyMapping(department: string) {
  return {
    kind: 'POLICY',
    constants: { department },
    fields: [
      { target: 'title', source: 'title' },
      { target: 'docNumber', source: 'wh', transforms: [{ op: 'halfWidth' }, { op: 'trim' }] },
      { target: 'issuers', source: 'jg', transforms: [{ op: 'split', separators: [' '] }] },
      { target: 'sourceUrl', source: 'url' },
    ],
  };
}

async function createFeed(department: string, path: string): Promise<Types.ObjectId> {
  const feed = await harness.runtime.models.Feed.create({
    name: `${department} 政策 ${path}`,
    department,
    connector: 'rest',
    config: { url: `${server.url}${path}`, recordsPath: 'data', idPath: 'id' },
    mapping: policyMapping(department),
    targetKind: 'POLICY',
    reviewPolicy: 'AUTO_PUBLISH',
    orgScope: ['330100'],
    withdrawalGuard: 1,
  });
  return feed._id;
}

async function run(feedId: Types.ObjectId) {
  harness.resetCounters();
  const outcome = await runFeed(harness.runtime, feedId, { trigger: 'MANUAL' });
  if (!outcome.started) throw new Error(`run did not start: ${outcome.reason}`);
  return outcome.run;
}

async function policiesOf(feedIds: Types.ObjectId[]): Promise<PolicyDoc[]> {
  const docs = await resourcesOf(harness.connection).find({ 'provenance.feedId': { $in: feedIds } }).sort({ _id: 1 }).lean();
  return docs as unknown as PolicyDoc[];
}

const HRSS_ISSUER = '浙江省人力资源和社会保障厅 浙江省卫生健康委员会';

describe('one policy from several feeds', () => {
  it('stores a provincial policy carried by two feeds once, with both provenances; the issuer wins; re-syncs write nothing', async () => {
    const health = await createFeed('health', '/m1/health');
    const hrss = await createFeed('hrss', '/m1/hrss');
    // The health feed republishes it with its own id, another title and a differently written number.
    bodies.set('/m1/health', [
      { id: 'wj-0007', title: '转发：关于做好高校毕业生就业工作的通知', wh: '浙人社发［2024］０12号', jg: '浙江省人力资源和社会保障厅' },
      { id: 'wj-0008', title: '关于开展爱国卫生运动的通知', wh: '浙卫发〔2024〕3号', jg: '浙江省卫生健康委员会' },
    ]);
    bodies.set('/m1/hrss', [{ id: 'RS2024-12', title: '关于做好高校毕业生就业工作的通知', wh: '浙人社发〔2024〕12号', jg: HRSS_ISSUER }]);

    const first = await run(health);
    expect(first.stats).toMatchObject({ fetched: 2, created: 2, updated: 0 });
    const joined = await run(hrss);
    expect(joined.status).toBe('SUCCEEDED');
    expect(joined.stats).toMatchObject({ fetched: 1, created: 0, updated: 1, unchanged: 0 });

    const stored = await policiesOf([health, hrss]);
    expect(stored).toHaveLength(2);
    const merged = stored.find((doc) => doc.provenance.length > 1)!;
    expect(merged.provenance.map((p) => [p.feedId.toHexString(), p.sourceId])).toEqual([
      [health.toHexString(), 'wj-0007'],
      [hrss.toHexString(), 'RS2024-12'],
    ]);
    // The issuing department's (人社) copy is in force, whichever feed ran first.
    expect(merged).toMatchObject({ title: '关于做好高校毕业生就业工作的通知', department: 'hrss', status: 'PUBLISHED' });
    expect(merged.mergeKeys).toEqual(['doc:浙人社发〔2024〕12号']);
    expect(merged.provenance.map((p) => p.issuerCopy)).toEqual([false, true]);

    // Unchanged re-syncs of both feeds: no writes at all.
    expect((await run(health)).stats).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    expect(harness.resourceWrites()).toEqual([]);
    expect((await run(hrss)).stats).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    expect(harness.resourceWrites()).toEqual([]);

    // A change in the republishing copy updates its entry only: the issuer's content stays.
    bodies.set('/m1/health', [
      { id: 'wj-0007', title: '转发：关于做好高校毕业生就业工作的通知（更新）', wh: '浙人社发［2024］０12号', jg: '浙江省人力资源和社会保障厅' },
      bodies.get('/m1/health')![1]!,
    ]);
    expect((await run(health)).stats).toMatchObject({ updated: 1, unchanged: 1 });
    expect(harness.resourceWrites()).toEqual([{ command: 'update', ops: 1 }]);
    const after = (await policiesOf([hrss]))[0]!;
    expect(after.title).toBe('关于做好高校毕业生就业工作的通知');
    expect(after.version).toBe(merged.version);
    expect(await resourcesOf(harness.connection).countDocuments({ 'provenance.sourceId': 'wj-0007' })).toBe(1);
  });

  it('keeps the policy while any feed carries it and withdraws it when all have dropped it', async () => {
    const health = await createFeed('health', '/m2/health');
    const hrss = await createFeed('hrss', '/m2/hrss');
    const shared = { title: '关于调整最低工资标准的通知', wh: '浙人社发〔2023〕45号', jg: '浙江省人力资源和社会保障厅' };
    const healthOwn = { id: 'h-1', title: '关于加强基层卫生服务的通知', wh: '湖卫健发〔2023〕9号', jg: '湖州市卫生健康委员会' };
    const hrssOwn = { id: 'r-1', title: '关于做好社保卡换发工作的通知', wh: '湖人社发〔2023〕2号', jg: '湖州市人力资源和社会保障局' };
    bodies.set('/m2/health', [{ id: 'h-45', ...shared }, healthOwn]);
    bodies.set('/m2/hrss', [{ id: 'r-45', ...shared }, hrssOwn]);
    await run(health);
    await run(hrss);
    const Resource = resourcesOf(harness.connection);
    const find = async () => (await Resource.findOne({ 'provenance.sourceId': 'r-45' }).lean()) as unknown as PolicyDoc;
    expect((await find()).provenance).toHaveLength(2);

    // The issuer's feed drops it on a full refresh: the health feed still carries it.
    bodies.set('/m2/hrss', [hrssOwn]);
    const dropped = await run(hrss);
    expect(dropped.status).toBe('SUCCEEDED');
    expect(dropped.stats).toMatchObject({ withdrawn: 0, unchanged: 1 });
    let policy = await find();
    expect(policy.status).toBe('PUBLISHED');
    expect(policy.provenance.find((p) => p.feedId.equals(hrss))!.droppedAt).toBeInstanceOf(Date);
    // A second refresh without it changes nothing more.
    expect((await run(hrss)).stats).toMatchObject({ withdrawn: 0, updated: 0, unchanged: 1 });
    expect(harness.resourceWrites()).toEqual([]);
    // The copy that was in force left, so the health copy is rewritten once and then is in force.
    expect((await run(health)).stats).toMatchObject({ updated: 1, unchanged: 1 });
    policy = await find();
    expect(policy.department).toBe('health');
    expect((await run(health)).stats).toMatchObject({ updated: 0, unchanged: 2 });

    // Both feeds have dropped it: withdrawn (soft).
    bodies.set('/m2/health', [healthOwn]);
    expect((await run(health)).stats).toMatchObject({ withdrawn: 1 });
    policy = await find();
    expect(policy.status).toBe('WITHDRAWN');
    expect(policy.provenance).toHaveLength(2);

    // It comes back through either feed.
    bodies.set('/m2/hrss', [{ id: 'r-45', ...shared }, hrssOwn]);
    expect((await run(hrss)).stats).toMatchObject({ updated: 1 });
    policy = await find();
    expect(policy).toMatchObject({ status: 'PUBLISHED', department: 'hrss' });
    expect(policy.provenance.find((p) => p.feedId.equals(hrss))!.droppedAt).toBeUndefined();
  });

  it('brings a policy withdrawn from every feed back through a feed that is not the issuer', async () => {
    const health = await createFeed('health', '/m5/health');
    const hrss = await createFeed('hrss', '/m5/hrss');
    const shared = { title: '关于做好工伤保险工作的通知', wh: '浙人社发〔2023〕60号', jg: '浙江省人力资源和社会保障厅' };
    const healthOwn = { id: 'h-2', title: '关于做好冬季健康工作的通知', wh: '湖卫健发〔2023〕11号', jg: '湖州市卫生健康委员会' };
    const hrssOwn = { id: 'r-2', title: '关于做好养老保险工作的通知', wh: '湖人社发〔2023〕8号', jg: '湖州市人力资源和社会保障局' };
    bodies.set('/m5/health', [{ id: 'h-60', ...shared }, healthOwn]);
    bodies.set('/m5/hrss', [{ id: 'r-60', ...shared }, hrssOwn]);
    await run(health);
    await run(hrss);
    // The republisher drops it first, then the issuer: withdrawn.
    bodies.set('/m5/health', [healthOwn]);
    await run(health);
    bodies.set('/m5/hrss', [hrssOwn]);
    expect((await run(hrss)).stats).toMatchObject({ withdrawn: 1 });
    const Resource = resourcesOf(harness.connection);
    const find = async () => (await Resource.findOne({ 'provenance.sourceId': 'r-60' }).lean()) as unknown as PolicyDoc;
    expect((await find()).provenance.every((p) => p.droppedAt instanceof Date)).toBe(true);
    // The republisher carries it again: it is in force, since no other copy is carried.
    bodies.set('/m5/health', [{ id: 'h-60', ...shared, title: '关于做好工伤保险工作的通知（转发）' }, healthOwn]);
    expect((await run(health)).stats).toMatchObject({ updated: 1 });
    expect(await find()).toMatchObject({ status: 'PUBLISHED', department: 'health', title: '关于做好工伤保险工作的通知（转发）' });
  });

  it('without the issuer among the feeds, the most recently changed copy is in force; the URL identifies a policy without a number', async () => {
    const health = await createFeed('health', '/m3/health');
    const justice = await createFeed('justice', '/m3/justice');
    const page = 'https://www.zj.gov.cn/art/2024/5/1/art_1229019365_2510734.html';
    bodies.set('/m3/health', [{ id: 'a', title: '浙江省人民政府关于印发某某规划的通知', url: `${page}?utm_source=wx` }]);
    // Both feeds happen to use the same source id: keys stay per feed.
    bodies.set('/m3/justice', [{ id: 'a', title: '浙江省人民政府关于印发某某规划的通知（司法局转载）', url: page.replace('https:', 'http:').replace('www.zj.gov.cn', 'WWW.ZJ.GOV.CN') }]);
    await run(health);
    await run(justice);
    const Resource = resourcesOf(harness.connection);
    const stored = (await Resource.find({ 'provenance.feedId': { $in: [health, justice] } }).lean()) as unknown as PolicyDoc[];
    expect(stored).toHaveLength(1);
    expect(stored[0]!.title).toBe('浙江省人民政府关于印发某某规划的通知（司法局转载）');
    expect(stored[0]!.provenance.map((p) => p.issuerCopy)).toEqual([false, false]);
    expect(stored[0]!.provenance.map((p) => [p.feedId.toHexString(), p.sourceId])).toEqual([
      [health.toHexString(), 'a'],
      [justice.toHexString(), 'a'],
    ]);
    expect((await run(justice)).stats).toMatchObject({ created: 0, updated: 0, unchanged: 1 });
    expect(harness.resourceWrites()).toEqual([]);

    // The health copy changes later: it is now the most recent, so it is in force.
    bodies.set('/m3/health', [{ id: 'a', title: '浙江省人民政府关于印发某某规划的通知（修订）', url: page }]);
    expect((await run(health)).stats).toMatchObject({ updated: 1 });
    const again = (await Resource.findById(stored[0]!._id).lean()) as unknown as PolicyDoc;
    expect(again).toMatchObject({ title: '浙江省人民政府关于印发某某规划的通知（修订）', department: 'health' });
    expect(again.version).toBe(stored[0]!.version + 1);
  });

  it('does not merge one number from unrelated issuers, nor two records of one feed', async () => {
    const health = await createFeed('health', '/m4/health');
    const hrss = await createFeed('hrss', '/m4/hrss');
    bodies.set('/m4/health', [
      { id: 'x1', title: '通知甲', wh: '浙发〔2022〕1号', jg: '中共浙江省委' },
      { id: 'x2', title: '通知甲（重复）', wh: '浙发〔2022〕1号', jg: '中共浙江省委' },
    ]);
    bodies.set('/m4/hrss', [{ id: 'y1', title: '通知乙', wh: '浙发〔2022〕1号', jg: '浙江省民政厅' }]);
    await run(health);
    await run(hrss);
    const stored = await policiesOf([health, hrss]);
    expect(stored).toHaveLength(3);
    expect(stored.every((doc) => doc.provenance.length === 1)).toBe(true);
  });
});

describe('two syncs creating the same new policy at once', () => {
  /** The shared policies of the race tests: one number, one issuer each. */
  function sharedPolicies(prefix: string, count: number): PolicyRow[] {
    return Array.from({ length: count }, (_, i) => ({
      id: `${prefix}-${i}`,
      title: `关于做好第${i}批就业补贴发放工作的通知`,
      wh: `浙人社发〔2025〕${prefix}${i}号`,
      jg: '浙江省人力资源和社会保障厅',
    }));
  }

  async function writeContext(feedId: Types.ObjectId): Promise<WriteContext> {
    return { Resource: harness.runtime.models.Resource, feedId, runId: new Types.ObjectId(), reviewPolicy: 'AUTO_PUBLISH', searchTerms: harness.runtime.searchTerms };
  }

  /** The rows as a feed's validated records placed at the city; `version` changes their hashes. */
  async function storable(department: string, rows: PolicyRow[], version = ''): Promise<StorableRecord[]> {
    const city = (await orgUnitModel(harness.connection).findOne({ code: '330100' }).lean())!;
    const placement = placementOf([city]);
    return rows.map((row) => ({
      sourceId: `${department}-${row.id}`,
      hash: `${department}-hash-${row.id}${version}`,
      placement,
      record: policyRecordSchema.parse({
        kind: 'POLICY', sourceId: `${department}-${row.id}`, title: row.title, department, docNumber: row.wh, issuers: [row.jg], sourceUrl: row.url,
      }),
    }));
  }

  async function write(department: string, feedId: Types.ObjectId, rows: PolicyRow[], version = '') {
    return applyResourcePlan(await planResourceWrites(await storable(department, rows, version), await writeContext(feedId)));
  }

  it('two writers that both planned an insert: the store takes one, the other joins it as a second copy', async () => {
    const health = await createFeed('health', '/r1/health');
    const hrss = await createFeed('hrss', '/r1/hrss');
    const rows = sharedPolicies('20', 30);
    // Both plans read the store before either writes: each plans 30 inserts.
    const [first, second] = await Promise.all([
      planResourceWrites(await storable('health', rows), await writeContext(health)),
      planResourceWrites(await storable('hrss', rows), await writeContext(hrss)),
    ]);
    expect(first.counts.created + second.counts.created).toBe(60);
    const [a, b] = await Promise.all([applyResourcePlan(first), applyResourcePlan(second)]);

    const stored = await policiesOf([health, hrss]);
    expect(stored).toHaveLength(30);
    for (const policy of stored) {
      expect(policy.provenance.map((p) => p.feedId.toHexString()).sort()).toEqual([health.toHexString(), hrss.toHexString()].sort());
      // The issuer's (人社) copy is in force whichever insert won.
      expect(policy.department).toBe('hrss');
    }
    expect({ created: a.created + b.created, updated: a.updated + b.updated }).toEqual({ created: 30, updated: 30 });

    // A third feed joins while the health copies change, both planned from the same read:
    // neither write drops the other's provenance entry.
    const justice = await createFeed('justice', '/r1/justice');
    const [update, join] = await Promise.all([
      planResourceWrites(await storable('health', rows, '-v2'), await writeContext(health)),
      planResourceWrites(await storable('justice', rows), await writeContext(justice)),
    ]);
    await Promise.all([applyResourcePlan(update), applyResourcePlan(join)]);
    const after = await policiesOf([health, hrss, justice]);
    expect(after).toHaveLength(30);
    for (const policy of after) {
      expect(policy.provenance.map((p) => p.sourceId.split('-')[0]).sort()).toEqual(['health', 'hrss', 'justice']);
      expect(policy.provenance.find((p) => p.feedId.equals(health))!.contentHash).toMatch(/-v2$/);
    }
  });

  it('a merge key a policy gains after it was created is claimed: an insert planned before that joins it', async () => {
    const health = await createFeed('health', '/r3/health');
    const hrss = await createFeed('hrss', '/r3/hrss');
    const [numbered] = sharedPolicies('40', 1) as [PolicyRow];
    const page = 'https://www.zj.gov.cn/art/2025/3/1/art_40.html';
    // The health feed first carries the policy without its number, found by its page only.
    expect(await write('health', health, [{ ...numbered, wh: undefined, url: page }])).toEqual({ created: 1, updated: 0, unchanged: 0 });
    // The 人社 feed plans the numbered policy as new before the health copy gains the number...
    const insert = await planResourceWrites(await storable('hrss', [numbered]), await writeContext(hrss));
    expect(insert.counts.created).toBe(1);
    // ...which the health copy then gains: its resource claims it.
    expect(await write('health', health, [{ ...numbered, url: page }], '-v2')).toEqual({ created: 0, updated: 1, unchanged: 0 });
    // The store refuses the insert's claim, and the 人社 record joins the health resource.
    expect(await applyResourcePlan(insert)).toEqual({ created: 0, updated: 1, unchanged: 0 });
    const stored = await policiesOf([health, hrss]);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.provenance.map((p) => p.sourceId)).toEqual(['health-40-0', 'hrss-40-0']);
    expect(stored[0]!.mergeClaims?.sort()).toEqual(['doc:浙人社发〔2025〕400号', 'url:www.zj.gov.cn/art/2025/3/1/art_40.html']);
  });

  it('a rewrite that lost a gained key to another resource is made without it; a key a policy no longer shows stays claimed', async () => {
    const health = await createFeed('health', '/r4/health');
    const hrss = await createFeed('hrss', '/r4/hrss');
    const [numbered] = sharedPolicies('41', 1) as [PolicyRow];
    const page = 'https://www.zj.gov.cn/art/2025/3/1/art_41.html';
    await write('health', health, [{ ...numbered, wh: undefined, url: page }]);
    // The health copy plans to gain the number while the 人社 feed inserts it as a policy of its own.
    const rewrite = await planResourceWrites(await storable('health', [{ ...numbered, url: page }], '-v2'), await writeContext(health));
    expect(await write('hrss', hrss, [numbered])).toEqual({ created: 1, updated: 0, unchanged: 0 });
    expect(await applyResourcePlan(rewrite)).toEqual({ created: 0, updated: 1, unchanged: 0 });
    const [healthCopy, hrssCopy] = await policiesOf([health, hrss]);
    expect(healthCopy!.docNumber).toBe(numbered.wh);
    expect(healthCopy!.provenance[0]!.contentHash).toMatch(/-v2$/);
    expect(healthCopy!.mergeClaims).toEqual(['url:www.zj.gov.cn/art/2025/3/1/art_41.html']);
    expect(hrssCopy!.mergeClaims).toEqual(['doc:浙人社发〔2025〕410号']);

    // The page moves: the new address is claimed, and a feed still linking the old one finds the policy.
    const moved = 'https://www.zj.gov.cn/art/2025/4/1/art_41.html';
    expect(await write('health', health, [{ ...numbered, wh: undefined, url: moved }], '-v3')).toEqual({ created: 0, updated: 1, unchanged: 0 });
    const [after] = await policiesOf([health]);
    expect(after!.mergeClaims).toEqual(['url:www.zj.gov.cn/art/2025/3/1/art_41.html', 'url:www.zj.gov.cn/art/2025/4/1/art_41.html']);
    const justice = await createFeed('justice', '/r4/justice');
    expect(await write('justice', justice, [{ ...numbered, wh: undefined, url: page }])).toEqual({ created: 0, updated: 1, unchanged: 0 });
    expect((await policiesOf([justice]))[0]!._id).toEqual(after!._id);
  });

  it('a joining copy that is not in force claims the keys it brings: a feed knowing the policy only by them joins it', async () => {
    const hrss = await createFeed('hrss', '/r5/hrss');
    const health = await createFeed('health', '/r5/health');
    const justice = await createFeed('justice', '/r5/justice');
    const [numbered] = sharedPolicies('42', 1) as [PolicyRow];
    const page = 'https://www.zj.gov.cn/art/2025/3/1/art_42.html';
    // The issuer's (人社) copy has the number only; the health copy adds the page but is not in force.
    await write('hrss', hrss, [numbered]);
    expect(await write('health', health, [{ ...numbered, url: page }])).toEqual({ created: 0, updated: 1, unchanged: 0 });
    const [policy] = await policiesOf([hrss, health]);
    expect(policy!.sourceUrl).toBeUndefined();
    expect(policy!.mergeClaims).toEqual(['doc:浙人社发〔2025〕420号', 'url:www.zj.gov.cn/art/2025/3/1/art_42.html']);
    // A feed that links the page without the number joins the same resource.
    expect(await write('justice', justice, [{ ...numbered, wh: undefined, url: page }])).toEqual({ created: 0, updated: 1, unchanged: 0 });
    expect(await policiesOf([hrss, health, justice])).toHaveLength(1);
  });

  it('two full syncs racing over the same 300 new policies store each once, with both provenances', async () => {
    // Small batches, so that the two syncs' lookups and inserts interleave many times.
    const racing = await openHarness('ingest_merge_race', { batchSize: 20 });
    try {
      await departmentModel(racing.connection).create({ code: 'hrss', name: { zh: '人力资源和社会保障', en: 'HRSS' } });
      const conflicts: number[] = [];
      racing.connection.getClient().on('commandSucceeded', (event) => {
        const errors = (event.reply as { writeErrors?: Array<{ code: number }> }).writeErrors ?? [];
        if (event.commandName === 'insert') conflicts.push(...errors.filter((error) => error.code === 11000).map(() => 1));
      });
      const feed = async (department: string, path: string): Promise<Types.ObjectId> =>
        (
          await racing.runtime.models.Feed.create({
            name: `${department} 政策 ${path}`, department, connector: 'rest', targetKind: 'POLICY', reviewPolicy: 'AUTO_PUBLISH', orgScope: ['330100'],
            config: { url: `${server.url}${path}`, recordsPath: 'data', idPath: 'id' }, mapping: policyMapping(department),
          })
        )._id;
      let raced = false;
      for (let round = 0; round < 3 && !raced; round++) {
        const rows = sharedPolicies(`3${round}`, 300);
        bodies.set(`/r2/${round}/health`, rows.map((row) => ({ ...row, id: `h${row.id}` })));
        bodies.set(`/r2/${round}/hrss`, rows.map((row) => ({ ...row, id: `r${row.id}` })));
        const ids = [await feed('health', `/r2/${round}/health`), await feed('hrss', `/r2/${round}/hrss`)];
        conflicts.length = 0;
        const outcomes = await Promise.all(ids.map((id) => runFeed(racing.runtime, id, { trigger: 'MANUAL' })));
        const runs = outcomes.map((outcome) => (outcome.started ? outcome.run : expect.unreachable(outcome.reason)));
        expect(runs.map((run) => run.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
        expect(runs[0]!.stats.created + runs[1]!.stats.created).toBe(300);
        expect(runs[0]!.stats.updated + runs[1]!.stats.updated).toBe(300);
        const stored = (await resourcesOf(racing.connection).find({ 'provenance.feedId': { $in: ids } }).lean()) as unknown as PolicyDoc[];
        expect(stored).toHaveLength(300);
        expect(stored.every((doc) => doc.provenance.length === 2 && !doc.provenance[0]!.feedId.equals(doc.provenance[1]!.feedId))).toBe(true);
        raced = conflicts.length > 0;
      }
      // The store refused a second insert at least once: the race this test is about did happen.
      expect(raced).toBe(true);
    } finally {
      await racing.close();
    }
  });
});
