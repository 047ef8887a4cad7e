import { pinyin } from 'pinyin-pro';
import { describe, expect, it } from 'vitest';
import { normalizeWithOrigin } from './normalize.js';
import { PINYIN_PREFIX, pinyinKeys, titlePinyinTokens } from './pinyin.js';
import { splitRuns } from './tokenizer.js';

/** The pair tokens straight from pinyin-pro, without the memo. */
function uncachedTokens(title: string): string[] {
  const tokens: string[] = [];
  for (const run of splitRuns(normalizeWithOrigin(title).chars)) {
    if (run.kind !== 'han') continue;
    const syllables = pinyin(run.text, { toneType: 'none', type: 'array', v: true });
    for (let i = 0; i + 1 < syllables.length; i++) tokens.push(PINYIN_PREFIX + syllables[i] + syllables[i + 1]);
  }
  return tokens;
}

/** Titles whose polyphones read differently by their neighbours, sharing characters across runs. */
const POLYPHONES = [
  '重庆市重要民生实事', '重要通知', '重庆', '银行网点行走路线', '行业协会', '长大后的长度', '音乐与快乐',
  '会计人员继续教育', '开会', '银行', '朝阳区朝代文化', '还款与还是', '调查与调整', '重新参保登记',
  '单位参保', '单县', '乐清市', '音乐厅', '行政许可', '暖心行动', '长者食堂', '校长', '率先', '效率',
];

describe('pinyin memo', () => {
  it('gives the same tokens cached as uncached, polyphones included, in any order', () => {
    const first = POLYPHONES.map(titlePinyinTokens);
    const again = [...POLYPHONES].reverse().map(titlePinyinTokens).reverse();
    const reference = POLYPHONES.map(uncachedTokens);
    expect(first).toEqual(reference);
    expect(again).toEqual(reference);
    expect(titlePinyinTokens('重庆')).toEqual(['py:chongqing']);
    expect(titlePinyinTokens('重要通知')[0]).toBe('py:zhongyao');
  });

  it('stays exact across a full memo being cleared, and callers cannot change what it holds', () => {
    const many = Array.from({ length: 20_050 }, (_, i) => `${POLYPHONES[i % POLYPHONES.length]}${String.fromCodePoint(0x4e00 + (i % 5000))}${String.fromCodePoint(0x4e00 + Math.floor(i / 5000))}`);
    for (const title of many) titlePinyinTokens(title);
    for (const title of [...many.slice(0, 30), ...many.slice(-30), ...POLYPHONES]) expect(titlePinyinTokens(title)).toEqual(uncachedTokens(title));
    const keys = pinyinKeys('重庆');
    keys.full = 'changed';
    expect(pinyinKeys('重庆')).toEqual({ full: 'chongqing', initials: 'cq' });
  });
});
