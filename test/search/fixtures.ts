import { Types } from 'mongoose';
import type { Models } from '../../src/db/index.js';
import { computeSearchTerms } from '../../src/search/index.js';

/**
 * Hand-written resources with known expected rankings. Two of them are hidden from
 * anonymous readers (a draft and an internal one) and carry a department and a category
 * no visible record has, so that a leak would show in results or facet counts.
 */

export const HIDDEN_DEPARTMENT = 'secretdept';
export const HIDDEN_CATEGORY = '内部分类';

const base = {
  department: 'health',
  orgUnits: [],
  orgPaths: [],
  orgLevels: [1],
  categories: ['医疗保障'],
  tags: [] as string[],
  audience: [],
  confidentiality: 'PUBLIC',
  status: 'PUBLISHED',
  provenance: [],
};

export const ids = {
  policyNational: new Types.ObjectId(),
  guide: new Types.ObjectId(),
  remote: new Types.ObjectId(),
  repealed: new Types.ObjectId(),
  draft: new Types.ObjectId(),
  internal: new Types.ObjectId(),
  dibao: new Types.ObjectId(),
  legalAid: new Types.ObjectId(),
  event: new Types.ObjectId(),
  provincial: new Types.ObjectId(),
};

export async function insertFixtures(models: Models): Promise<void> {
  const policies = [
    {
      _id: ids.policyNational,
      title: '关于做好2024年城乡居民基本医疗保险工作的通知',
      docNumber: '国办发〔2024〕12号',
      issuers: ['国务院办公厅'],
      validity: 'VALID',
      publishedAt: new Date('2024-05-10'),
      summary: '部署居民医保参保缴费和待遇保障工作。',
      body: '<p>各省、自治区、直辖市人民政府：</p><p>现就做好2024年居民医保工作通知如下。</p>',
    },
    {
      _id: ids.repealed,
      title: '医保报销管理暂行办法',
      docNumber: '湖医保发〔2015〕3号',
      validity: 'REPEALED',
      publishedAt: new Date('2015-03-01'),
      body: '<p>本办法已废止。</p>',
    },
    {
      _id: ids.provincial,
      title: '关于转发城乡居民参保工作通知的通知',
      docNumber: '浙政办发〔2024〕5号',
      validity: 'VALID',
      publishedAt: new Date('2024-06-01'),
      department: 'hrss',
      body: '<p>根据国办发〔2024〕12号文件精神，结合我省实际，现转发如下。</p>',
    },
  ];
  const services = [
    {
      _id: ids.guide,
      title: '医保报销办理指南',
      itemCode: '330500-000-XK-001',
      tags: ['医保'],
      summary: '门诊和住院费用的医保报销流程。',
      body: '<p>携带社保卡到窗口办理医保报销，咨询电话 0572-12345。</p>',
    },
    {
      _id: ids.remote,
      title: '异地就医备案',
      summary: '跨省异地就医直接结算的备案手续。',
      body: '<p>备案后可在就医地直接医保报销，无需回参保地。</p>',
    },
    {
      _id: ids.draft,
      title: '医保报销内部流程草稿',
      status: 'DRAFT',
      department: HIDDEN_DEPARTMENT,
      categories: [HIDDEN_CATEGORY],
    },
    {
      _id: ids.internal,
      title: '医保报销内部指引',
      confidentiality: 'INTERNAL',
      department: HIDDEN_DEPARTMENT,
      categories: [HIDDEN_CATEGORY],
    },
    {
      _id: ids.dibao,
      title: '最低生活保障申请',
      department: 'civil',
      categories: ['社会救助'],
      body: '<p>申请条件：家庭人均收入低于当地最低生活保障标准。</p>',
    },
    {
      _id: ids.legalAid,
      title: '申请法律援助',
      department: 'justice',
      categories: ['法律服务'],
      tags: ['法援'],
      body: '<p>法律援助热线 12348，提供免费法律咨询。</p>',
    },
  ];
  const events = [
    {
      _id: ids.event,
      title: '<b>社区</b>医保宣传活动 & 讲座',
      department: 'culture',
      categories: ['宣传活动'],
      // Upcoming whenever the tests run, so its recency boost is the full one.
      startsAt: new Date(Date.now() + 7 * 86_400_000),
      body: '<p>现场讲解"医保报销"政策 <script>alert(1)</script></p>',
    },
  ];
  const withTerms = <T extends { title: string }>(doc: T) => ({ ...base, ...doc, searchTerms: computeSearchTerms(doc) });
  await models.Policy.insertMany(policies.map(withTerms));
  await models.Service.insertMany(services.map(withTerms));
  await models.Event.insertMany(events.map(withTerms));
}
