import { describe, expect, it } from 'vitest';
import { findDocNumbers } from './doc-number.js';
import { htmlToText } from './html-text.js';
import { normalizeText, normalizeWithOrigin, STABLE_TEXT } from './normalize.js';
import { pinyinQueryTokens, segmentPinyin, titlePinyinTokens } from './pinyin.js';
import { computeSearchTerms, MAX_PAIRED_CHARS, MAX_SEARCH_TERMS } from './terms.js';
import { indexTokens, splitRuns } from './tokenizer.js';

describe('normalize', () => {
  it('folds full-width letters and digits, lower-cases, and unifies brackets', () => {
    expect(normalizeText('ＡＢＣ１２３ Covid')).toBe('abc123 covid');
    expect(normalizeText('国办发[2024]12号')).toBe('国办发〔2024〕12号');
    expect(normalizeText('国办发（2024）12号')).toBe('国办发〔2024〕12号');
    expect(normalizeText('国办发【2024】12号')).toBe('国办发〔2024〕12号');
  });

  it('gives the same result on the fast path as character by character', () => {
    for (const text of ['已经规范的文本 abc 123', '医保〔2024〕', 'ＡＢ', 'e\u0301', '㍿', 'Ω Å', '办事指南（2025年修订）', 'A（b）', '（，）']) {
      expect(normalizeText(text)).toBe(normalizeWithOrigin(text).chars.join(''));
    }
  });

  it('leaves every code point the stable-text fast path accepts unchanged', () => {
    const changed: string[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      const ch = String.fromCharCode(code);
      if (code >= 0xd800 && code <= 0xdfff) continue;
      if (STABLE_TEXT.test(ch) && normalizeWithOrigin(ch).chars.join('') !== ch) changed.push(ch);
    }
    expect(changed).toEqual([]);
  });

  it('traces every normalized character back to the original one', () => {
    const { chars, origin } = normalizeWithOrigin('a㍿b');
    expect(chars.join('')).toBe('a株式会社b');
    expect(origin).toEqual([0, 1, 1, 1, 1, 2]);
  });
});

describe('tokenizer', () => {
  it('splits Han runs from word runs', () => {
    const runs = splitRuns(Array.from(normalizeText('办理A级景区2024年')));
    expect(runs.map((r) => [r.kind, r.text])).toEqual([
      ['han', '办理'],
      ['word', 'a'],
      ['han', '级景区'],
      ['word', '2024'],
      ['han', '年'],
    ]);
  });

  it('emits Han bigrams and unigrams, and lower-cased half-width words', () => {
    expect(indexTokens('医保报销')).toEqual(['医保', '保报', '报销', '医', '保', '报', '销']);
    expect(indexTokens('ＥＴＣ卡 Covid-19')).toEqual(['etc', '卡', 'covid', '19']);
  });

  it('does not form bigrams across punctuation', () => {
    expect(indexTokens('医，保')).toEqual(['医', '保']);
  });

  it('keeps document numbers whole and split, whatever the brackets', () => {
    for (const written of ['国办发〔2024〕12号', '国办发[2024]12号', '国办发（2024）第12号', '国办发〔2024〕012号']) {
      const tokens = indexTokens(written);
      expect(tokens).toContain('国办发〔2024〕12号');
      expect(tokens).toEqual(expect.arrayContaining(['国办', '办发', '2024']));
    }
  });

  it('finds a document number inside running text under every possible issuer start', () => {
    const tokens = indexTokens('根据国办发〔2024〕12号文件精神');
    expect(tokens).toContain('国办发〔2024〕12号');
    expect(tokens).toContain('根据国办发〔2024〕12号');
    expect(findDocNumbers(Array.from(normalizeText('共〔2024〕条')))).toEqual([]);
  });
});

describe('html text', () => {
  it('decodes entities, drops scripts, separates blocks but not inline markup', () => {
    expect(htmlToText('<p>医<b>保</b>&amp;报销</p><p>第二段</p><script>alert(1)</script>')).toBe('医保&报销\n第二段');
  });
});

describe('pinyin', () => {
  it('indexes pinyin pairs of titles', () => {
    expect(titlePinyinTokens('医保报销')).toEqual(['py:yibao', 'py:baobao', 'py:baoxiao']);
  });

  it('segments a pinyin word into the fewest syllables', () => {
    expect(segmentPinyin('yiliaobaoxian')).toEqual(['yi', 'liao', 'bao', 'xian']);
    expect(segmentPinyin('xian')).toEqual(['xian']);
    expect(segmentPinyin('covid')).toBeUndefined();
    expect(pinyinQueryTokens('yibao')).toEqual(['py:yibao']);
    expect(pinyinQueryTokens('bao')).toBeUndefined();
  });
});

describe('computeSearchTerms', () => {
  it('covers title, document number, tags, summary and body text without HTML', () => {
    const terms = computeSearchTerms({
      title: '关于医保报销的通知',
      docNumber: '市医保发〔2024〕3号',
      tags: ['民生'],
      summary: '异地就医',
      body: '<p>持<strong>社保卡</strong>办理 &lt;b&gt;</p>',
    });
    expect(terms).toEqual(expect.arrayContaining(['医保', '报销', 'py:yibao', '市医保发〔2024〕3号', '民生', '异地', '社保', '保卡']));
    expect(terms).not.toContain('strong');
    expect(terms).toContain('b');
    expect(new Set(terms).size).toBe(terms.length);
  });

  it('stores unigrams of short fields (every tag) but not of body text', () => {
    const terms = computeSearchTerms({ title: '标题', tags: ['法援', '社保'], body: '<p>正文内容</p>' });
    expect(terms).toEqual(expect.arrayContaining(['法', '援', '社', '保', '正文']));
    expect(terms).not.toContain('正');
  });

  it('is bounded, keeping the ranking texts, the tier terms and then title terms first', () => {
    const body = Array.from({ length: 20_000 }, (_, i) => String.fromCodePoint(0x4e00 + (i % 20_000))).join('');
    const terms = computeSearchTerms({ title: '标题', tags: ['医保'], body });
    expect(terms.length).toBe(MAX_SEARCH_TERMS);
    expect(terms.slice(0, 9)).toEqual(['\u0001t标题', '\u0001d', '\u0001g医保', '\u0001s', '\u0001n', 't=标题', 't:标题', 't:医保', '标题']);
  });

  it('stores the pairs of title, document number and tags, or a mark when they are too long', () => {
    const terms = computeSearchTerms({ title: '医保Ａ', docNumber: '国办发[2024]012号', tags: ['社保'] });
    expect(terms).toEqual(expect.arrayContaining(['t=医保a', 't:医保', 't:保a', 't:国办', 't:发〔', 't:〕0', 't:社保', 'n:国办发〔2024〕12号']));
    expect(terms).not.toContain('t*');
    const long = computeSearchTerms({ title: '长'.repeat(MAX_PAIRED_CHARS + 1) });
    expect(long).toContain('t*');
    expect(long.some((term) => term.startsWith('t:'))).toBe(false);
  });

  it('stores normalized ranking texts at fixed positions', () => {
    const terms = computeSearchTerms({ title: 'ＥＴＣ办事指南（2025年修订）', docNumber: '国办发[2024]012号', tags: ['医保', 'A'], summary: '摘要' });
    expect(terms.slice(0, 5)).toEqual([
      '\u0001tetc办事指南〔2025年修订〕',
      '\u0001d国办发〔2024〕012号',
      '\u0001g医保\na',
      '\u0001s摘要',
      // Every issuer suffix, as the index stores them (the prefix's start is not known).
      '\u0001n\n发〔2024〕12号\n办发〔2024〕12号\n国办发〔2024〕12号\n',
    ]);
  });

  it('rejects a resource without a title', () => {
    expect(() => computeSearchTerms({ title: undefined as unknown as string })).toThrow();
  });
});
