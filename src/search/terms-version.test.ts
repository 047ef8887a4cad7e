import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { computeSearchTerms, type Searchable } from './terms.js';
import { SEARCH_TERMS_VERSION } from './terms-version.js';

/**
 * The stored terms of a few representative resources, hashed. A change to what
 * computeSearchTerms() stores must come with a new SEARCH_TERMS_VERSION (so that upgraded hubs
 * reindex), and its fingerprint recorded here.
 */
const FINGERPRINTS: Record<number, string> = {
  2: '8adf9287e0e790d4b910d31cffae348dc3ecdc765ba16a5696ca1135fd642d18',
  3: '23b5c6854355879cb0dd4397813b52bd20fd6b037590fb77963ac8f2ee6bf744',
};

const SAMPLES: Searchable[] = [
  { title: '关于做好2024年城乡居民基本医疗保险参保工作的通知', docNumber: '湖医保发〔2024〕3号', issuers: ['湖州市医疗保障局'], tags: ['医保', '参保'], summary: '明确参保缴费时间与标准。' },
  { title: '吴兴区预防接种门诊', summary: '地址：青铜路1号；电话：0572-2011001', body: '<p>周一至周五 <b>8:30</b>&nbsp;开放</p><script>x()</script>' },
  { title: 'ＡＢＣ全角　Latin 123 法律援助', itemCode: '330100-000-01', indexNumber: '002489-2024-00012' },
  { title: '重庆路社区读书会', tags: ['文化'], body: '<h2>活动安排</h2><ul><li>读书</li><li>分享</li></ul>' },
];

function fingerprint(): string {
  return createHash('sha256').update(JSON.stringify(SAMPLES.map((sample) => computeSearchTerms(sample)))).digest('hex');
}

describe('stored search terms format', () => {
  it(`matches the fingerprint recorded for SEARCH_TERMS_VERSION ${SEARCH_TERMS_VERSION}`, () => {
    expect(
      fingerprint(),
      'computeSearchTerms() output changed: bump SEARCH_TERMS_VERSION in src/search/terms-version.ts and record the new fingerprint here',
    ).toBe(FINGERPRINTS[SEARCH_TERMS_VERSION]);
  });
});
