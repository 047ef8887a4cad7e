import { createHash } from 'node:crypto';
import { Types, type Connection } from 'mongoose';
import { createModels, type ResourceBase } from '../src/db/index.js';
import type { NormalizedRecordInput } from '../src/domain/catalog/normalized-record.js';
import { contentOf, loadReviewStages, ReviewService, stageFeedRevisions, type FeedRevision } from '../src/domain/review/index.js';
import { sourceKeyFilter } from '../src/ingest/resource-writer.js';
import { computeSearchTerms, type Searchable } from '../src/search/terms.js';
import { generateDemoResources } from './resources/generate.js';
import { seedFeedId, writeSeedRecords } from './store.js';

/**
 * Review work for the demo, so that a reviewer's queue is not empty on a fresh hub: a few
 * submissions from a pseudo-feed that requires review (NEW cases, opened when a reviewer first
 * looks) and changes to two published resources (REVISION cases with a diff). All of it sits in
 * 吴兴区 (330502), inside the demo reviewer's 湖州市 scope. Not part of seedDemoData: the seed's
 * own counts stay the catalogue's. Idempotent: a second run writes nothing, and a resource that
 * has been through review once is left alone.
 */

/** The pseudo-feed the demo submissions come from (no feed document exists for it). */
export const DEMO_REVIEW_FEED_ID = new Types.ObjectId(createHash('sha1').update('gongxiang-seed:review').digest('hex').slice(0, 24));

export const DEMO_SUBMISSIONS: NormalizedRecordInput[] = [
  {
    kind: 'SERVICE',
    sourceId: 'review-demo:elderly-meal-subsidy',
    title: '老年人助餐服务补贴申领',
    summary: '年满70周岁的本区户籍老年人在社区老年食堂就餐，可申领每餐3元助餐补贴。',
    department: 'civil-affairs',
    orgUnitCodes: ['330502002001'],
    categories: ['养老服务'],
    audience: ['老年人'],
    serviceType: '公共服务',
    implementingAgency: '吴兴区民政局',
    conditions: ['年满70周岁', '本区户籍'],
    materials: ['身份证', '户口簿'],
    steps: ['社区受理', '街道审核', '按月发放'],
    timeLimitDays: 5,
    isFree: true,
    consultPhone: '0572-2039876',
  },
  {
    kind: 'POLICY',
    sourceId: 'review-demo:community-legal-advisers',
    title: '吴兴区关于推进村（社区）法律顾问全覆盖的实施意见',
    summary: '每个村（社区）配备一名法律顾问，每月到村（社区）服务不少于8小时。',
    department: 'justice',
    orgUnitCodes: ['330502'],
    categories: ['公共法律服务'],
    docNumber: '吴司发〔2026〕9号',
    issuers: ['吴兴区司法局'],
    publishedAt: '2026-11-20T00:00:00+08:00',
    effectiveFrom: '2026-12-01T00:00:00+08:00',
    validity: 'VALID',
  },
  {
    kind: 'EVENT',
    sourceId: 'review-demo:zhili-job-fair',
    title: '织里镇2027年春季童装产业专场招聘会',
    summary: '童装企业集中招聘设计、打版、电商运营等岗位，现场提供社保政策咨询。',
    department: 'hrss',
    orgUnitCodes: ['330502100003'],
    categories: ['就业创业'],
    startsAt: '2027-02-20T09:00:00+08:00',
    endsAt: '2027-02-20T12:00:00+08:00',
    venue: '织里镇人力资源市场',
    organizer: '织里镇人民政府',
  },
];

/** Published demo resources (by seed sourceId) that get a pending change, and the change. */
const DEMO_REVISIONS: { sourceId: string; change: (record: NormalizedRecordInput) => Record<string, unknown> }[] = [
  {
    sourceId: 'service-health-family-doctor-signing-330502002',
    change: (record) => ({
      summary: `${record.summary ?? record.title}自2027年1月起可全程网办。`,
      visitsRequired: 0,
      consultPhone: '0572-2229120',
    }),
  },
  {
    sourceId: 'policy-culture-rural-tourism-330502-2023',
    change: (record) => ({
      title: `${record.title}（2026年修订）`,
      summary: `${record.summary ?? ''}修订后民宿提升补助标准提高10%。`,
    }),
  },
];

export interface DemoReviewCounts {
  submissions: number;
  revisions: number;
}

async function pendingRevisions(connection: Connection): Promise<FeedRevision[]> {
  const models = createModels(connection);
  const catalogue = generateDemoResources();
  const revisions: FeedRevision[] = [];
  for (const { sourceId, change } of DEMO_REVISIONS) {
    const record = catalogue.find((candidate) => candidate.sourceId === sourceId);
    if (!record) continue;
    const feedId = seedFeedId(record.department);
    const resource = await models.Resource.findOne(sourceKeyFilter(feedId, record.sourceId)).lean<ResourceBase>().exec();
    if (!resource || resource.status !== 'PUBLISHED') continue;
    if (await models.ReviewCase.exists({ resource: resource._id })) continue;
    const set = change(record);
    set.searchTerms = computeSearchTerms({ ...contentOf(resource), ...set } as unknown as Searchable);
    revisions.push({ resourceId: resource._id, feedId, proposed: { set, unset: [] } });
  }
  return revisions;
}

export async function seedDemoReviews(connection: Connection): Promise<DemoReviewCounts> {
  const models = createModels(connection);
  const written = await writeSeedRecords(models, DEMO_SUBMISSIONS, DEMO_REVIEW_FEED_ID, 'REQUIRE_REVIEW');
  const revisions = await pendingRevisions(connection);
  await stageFeedRevisions(new ReviewService(models, loadReviewStages()), models, revisions);
  return { submissions: written.created, revisions: revisions.length };
}
