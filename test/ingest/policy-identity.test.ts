import { describe, expect, it } from 'vitest';
import {
  agencyCore,
  canonicalDocNumber,
  canonicalUrl,
  issuedByDepartment,
  issuersCompatible,
  policyMergeKeys,
} from '../../src/ingest/merge/index.js';

describe('policy identity across feeds', () => {
  it('spells one 发文字号 one way whatever the brackets, widths and leading zeros', () => {
    const canonical = '浙人社发〔2024〕12号';
    for (const written of ['浙人社发〔2024〕12号', '浙人社发[2024]12号', '浙人社发（2024）012号', '浙人社发［２０２４］１２号', ' 浙人社发 〔 2024 〕 第12号 ']) {
      expect(canonicalDocNumber(written)).toBe(canonical);
    }
    expect(canonicalDocNumber('浙人社发〔2024〕13号')).not.toBe(canonical);
    // Numbers without a bracketed year keep their text, without spaces.
    expect(canonicalDocNumber('财政部令 第 80 号')).toBe('财政部令第80号');
  });

  it('spells one page one way: scheme, host case, trailing slash, fragment and tracking parameters do not matter', () => {
    const canonical = canonicalUrl('https://www.zj.gov.cn/art/2024/5/1/art_1.html?b=2&a=1');
    expect(canonical).toBe('www.zj.gov.cn/art/2024/5/1/art_1.html?a=1&b=2');
    expect(canonicalUrl('http://WWW.ZJ.GOV.CN:80/art/2024/5/1/art_1.html/?a=1&utm_source=wx&b=2#top')).toBe(canonical);
    expect(canonicalUrl('https://www.zj.gov.cn/art/2024/5/1/art_2.html?a=1&b=2')).not.toBe(canonical);
    expect(canonicalUrl('ftp://www.zj.gov.cn/a')).toBeUndefined();
    expect(canonicalUrl('not a url')).toBeUndefined();
  });

  it('gives a policy its number key and its page key', () => {
    expect(policyMergeKeys({ docNumber: '湖卫健发[2023]5号', sourceUrl: 'https://wjw.huzhou.gov.cn/a/1' })).toEqual([
      'doc:湖卫健发〔2023〕5号',
      'url:wjw.huzhou.gov.cn/a/1',
    ]);
    expect(policyMergeKeys({ docNumber: '  ' })).toEqual([]);
  });

  it('recognizes agencies by their core name, and departments as issuers', () => {
    expect(agencyCore('湖州市卫生健康委员会')).toBe('卫生健康');
    expect(agencyCore('浙江省人力资源和社会保障厅')).toBe('人力资源和社会保障');
    expect(agencyCore('湖州市吴兴区司法局')).toBe('司法');
    expect(agencyCore('湖州市市场监督管理局')).toBe('市场监督');
    expect(issuedByDepartment(['湖州市司法局'], '司法行政')).toBe(true);
    expect(issuedByDepartment(['浙江省人力资源和社会保障厅', '浙江省财政厅'], '人力资源和社会保障')).toBe(true);
    expect(issuedByDepartment(['浙江省卫生健康委员会'], '教育')).toBe(false);
    expect(issuersCompatible(['湖州市卫生健康委员会'], ['浙江省卫生健康委员会', '浙江省财政厅'])).toBe(true);
    expect(issuersCompatible(['中共浙江省委'], ['浙江省民政厅'])).toBe(false);
    expect(issuersCompatible([], ['浙江省民政厅'])).toBe(true);
  });
});
