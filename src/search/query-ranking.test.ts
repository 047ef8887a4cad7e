import { ObjectId } from 'bson';
import { Aggregator } from 'mingo';
import { describe, expect, it } from 'vitest';
import { runAggregation } from '../embedded-mongo/aggregation/index.js';
import { runPipeline } from '../embedded-mongo/query.js';
import { decodeSearchCursor, encodeSearchCursor } from './cursor.js';
import { highlightAll, highlightSnippet } from './highlight.js';
import { highlightTexts, parseQuery, SearchQueryError, searchTermsFilter } from './query.js';
import { countsPipeline, facetCounts, rankingPipeline, type FacetCombination } from './pipeline.js';
import { scoreExpression } from './ranking.js';
import { bundledSynonyms, parseSynonymDictionary } from './synonyms.js';
import { computeSearchTerms } from './terms.js';

const dictionary = bundledSynonyms();

interface RankCandidate {
  /** Up to 12 characters; its bytes make the ObjectId, so ids order like the padded names. */
  id: string;
  title: string;
  docNumber?: string;
  tags?: string[];
  summary?: string;
  validity?: string;
  date?: Date;
}

const objectIdOf = (id: string) => new ObjectId(Buffer.from(id.padStart(12, '_')));

/**
 * The candidates in rank order, scored by the expression the search service sends to the
 * database, evaluated by mingo (the embedded server's reference evaluator).
 */
function rankCandidates(plan: ReturnType<typeof parseQuery>, candidates: RankCandidate[], asOf: number) {
  const docs = candidates.map((c) => ({
    _id: objectIdOf(c.id),
    id: c.id,
    kind: c.validity ? 'POLICY' : 'SERVICE',
    validity: c.validity,
    updatedAt: c.date ?? new Date(asOf - 400 * 86_400_000),
    searchTerms: computeSearchTerms(c),
  }));
  const pipeline = [{ $project: { id: 1, score: scoreExpression(plan, asOf) } }, { $sort: { score: -1, _id: 1 } }];
  return new Aggregator(pipeline, { idKey: '_id' }).run(docs) as { id: string; score: number }[];
}

describe('parseQuery', () => {
  it('ANDs whitespace-separated terms and splits dictionary words out of a term', () => {
    const plan = parseQuery('医保报销  材料', dictionary);
    expect(plan.terms.map((t) => t.text)).toEqual(['医保报销', '材料']);
    const [first] = plan.terms;
    expect(first!.pieces[0]!.alternatives.map((a) => [a.kind, a.text])).toEqual([
      ['literal', '医保'],
      ['synonym', '医疗保险'],
      ['synonym', '基本医疗保险'],
    ]);
    expect(first!.pieces[1]!.alternatives.map((a) => a.text)).toEqual(['报销', '结算']);
  });

  it('expands in both directions', () => {
    const plan = parseQuery('最低生活保障', dictionary);
    expect(plan.terms[0]!.pieces[0]!.alternatives.map((a) => a.text)).toContain('低保');
  });

  it('keeps a document number whole', () => {
    const plan = parseQuery('国办发[2024]12号', dictionary);
    expect(plan.terms[0]!.pieces).toEqual([
      { alternatives: [{ kind: 'docNumber', tokens: ['国办发〔2024〕12号'], text: '国办发〔2024〕12号' }] },
    ]);
  });

  it('reads Latin words as pinyin and dictionary initials', () => {
    const yibao = parseQuery('yibao', dictionary).terms[0]!.pieces[0]!.alternatives;
    expect(yibao.map((a) => a.text ?? a.tokens.join())).toEqual(expect.arrayContaining(['yibao', '医保', '医疗保险', 'py:yibao']));
    const yb = parseQuery('YB', dictionary).terms[0]!.pieces[0]!.alternatives;
    expect(yb.map((a) => a.text)).toEqual(expect.arrayContaining(['yb', '医保']));
  });

  it('uses unigrams for one-character queries', () => {
    expect(parseQuery('药', dictionary).terms[0]!.pieces[0]!.alternatives[0]!.tokens).toEqual(['药']);
  });

  it('builds an index filter: pieces ANDed, alternatives ORed', () => {
    expect(searchTermsFilter(parseQuery('入户 指引', dictionary))).toEqual({ searchTerms: { $all: ['入户', '指引'] } });
    const filter = searchTermsFilter(parseQuery('低保 申请', dictionary));
    expect(filter).toEqual({
      $and: [
        { searchTerms: { $all: ['申请'] } },
        {
          $or: [
            { searchTerms: { $all: ['低保'] } },
            { searchTerms: { $all: ['最低', '低生', '生活', '活保', '保障'] } },
            { searchTerms: { $all: ['最低', '低生', '生活', '活保', '保障', '障金'] } },
          ],
        },
      ],
    });
  });

  it('leaves out a piece the anchor already answers exactly, and only such a piece', () => {
    const single = parseQuery('社区', dictionary);
    expect(searchTermsFilter(single, single.terms[0]!.pieces[0])).toEqual({});
    const multi = parseQuery('低保', dictionary);
    expect(searchTermsFilter(multi, multi.terms[0]!.pieces[0])).toEqual(searchTermsFilter(multi));
  });

  it('rejects empty, over-long and punctuation-only queries with bilingual messages', () => {
    expect(() => parseQuery('   ', dictionary)).toThrow(/不能为空 .* must not be empty/);
    expect(() => parseQuery('字'.repeat(201), dictionary)).toThrow(SearchQueryError);
    expect(() => parseQuery('，。！', dictionary)).toThrow(/nothing searchable/);
    expect(() => parseQuery('a b c d e f g h i j k', dictionary)).toThrow(/Too many search terms/);
  });
});

describe('synonym dictionary file', () => {
  it('validates its shape', () => {
    expect(() => parseSynonymDictionary({ groups: [['单独']] })).toThrow(/Invalid synonym dictionary/);
    expect(parseSynonymDictionary({ groups: [['乡村振兴', '振兴乡村']] }).expand('振兴乡村')).toEqual(['振兴乡村', '乡村振兴']);
  });
});

describe('ranking', () => {
  const asOf = Date.parse('2025-06-01T00:00:00Z');
  /** The plan of `query`, after checking that its synonym is among the alternatives yet never tested by the score. */
  const planNotTesting = (query: string, synonym: string): ReturnType<typeof parseQuery> => {
    const plan = parseQuery(query, dictionary);
    expect(plan.terms[0]!.pieces[0]!.alternatives.map((a) => a.text)).toContain(synonym);
    expect(JSON.stringify(scoreExpression(plan, asOf))).not.toContain(synonym);
    return plan;
  };
  const day = 86_400_000;
  const doc = (id: string, fields: Partial<RankCandidate>): RankCandidate => ({ id, title: '无关标题', ...fields });

  it('orders title over document number and tags over summary over body', () => {
    const plan = parseQuery('养犬', dictionary);
    const ranked = rankCandidates(
      plan,
      [
        doc('e', {}),
        doc('d', { summary: '关于养犬' }),
        doc('c', { tags: ['养犬'] }),
        doc('a', { title: '城区养犬登记' }),
      ],
      asOf,
    );
    expect(ranked.map((r) => r.id)).toEqual(['a', 'c', 'd', 'e']);
  });

  it('boosts exact phrases and exact document numbers, prefers recent, penalises repealed policies', () => {
    const phrase = rankCandidates(
      parseQuery('医保报销', dictionary),
      [doc('scattered', { title: '报销与医保' }), doc('phrase', { title: '医保报销指南' })],
      asOf,
    );
    expect(phrase.map((r) => r.id)).toEqual(['phrase', 'scattered']);

    const number = rankCandidates(
      parseQuery('国办发〔2024〕12号', dictionary),
      [doc('mentions', { summary: '依据国办发〔2024〕12号' }), doc('is', { docNumber: '国办发〔2024〕12号' })],
      asOf,
    );
    expect(number.map((r) => r.id)).toEqual(['is', 'mentions']);

    const recency = rankCandidates(
      parseQuery('救助', dictionary),
      [doc('old', { title: '救助', date: new Date(asOf - 2000 * day) }), doc('new', { title: '救助', date: new Date(asOf - 10 * day) })],
      asOf,
    );
    expect(recency.map((r) => r.id)).toEqual(['new', 'old']);

    const validity = rankCandidates(
      parseQuery('救助', dictionary),
      [doc('a', { title: '救助', validity: 'REPEALED' }), doc('b', { title: '救助', validity: 'VALID' }), doc('c', { title: '救助', validity: 'EXPIRED' })],
      asOf,
    );
    expect(validity.map((r) => r.id)).toEqual(['b', 'a', 'c']);
  });

  it('prefers the word typed over a synonym', () => {
    const ranked = rankCandidates(
      parseQuery('医保', dictionary),
      [doc('synonym', { title: '医疗保险' }), doc('typed', { title: '医保' })],
      asOf,
    );
    expect(ranked.map((r) => r.id)).toEqual(['typed', 'synonym']);
  });

  it('tests a synonym containing another of the same weight not at all, with the same scores', () => {
    // A field holding 基本医疗保险 holds 医疗保险: the longer synonym decides nothing.
    const plan = planNotTesting('医保', '基本医疗保险');
    const ranked = rankCandidates(
      plan,
      [
        { id: 'a', title: '基本医疗保险参保' },
        { id: 'b', title: '医疗保险参保' },
        { id: 'c', title: '参保', summary: '基本医疗保险' },
      ],
      asOf,
    );
    const score = new Map(ranked.map((r) => [r.id, r.score]));
    expect(score.get('a')).toBe(score.get('b'));
    expect(score.get('a')).toBeGreaterThan(score.get('c')!);
  });

  it('does not test a field for a text after failing to find a part of it there, with the same scores', () => {
    // Every level of the synonym 特困人员 (×0.9) sits below the level of 特困 in the same field.
    const plan = planNotTesting('特困', '特困人员');
    const ranked = rankCandidates(
      plan,
      [
        { id: 'title', title: '特困人员供养' },
        { id: 'tags', title: '通知', tags: ['特困人员'] },
        { id: 'summary', title: '通知', summary: '特困人员救助' },
        { id: 'body', title: '通知' },
      ],
      asOf,
    );
    // Title 10, tags 6, summary 3, body 1 (the same recency for all).
    const body = ranked.find((r) => r.id === 'body')!.score;
    expect(ranked.map((r) => [r.id, r.score - body])).toEqual([['title', 9_000], ['tags', 5_000], ['summary', 2_000], ['body', 0]]);
  });

  it('breaks ties by id', () => {
    const ranked = rankCandidates(parseQuery('救助', dictionary), ['c', 'a', 'b'].map((id) => doc(id, { title: '救助' })), asOf);
    expect(ranked.map((r) => r.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('rankingPipeline', () => {
  const asOf = Date.parse('2025-06-01T00:00:00Z');
  const docs = ['医保报销指南', '医疗保险', '社区医保服务', '报销', '医保'].map((title, i) => ({
    _id: new ObjectId(),
    kind: i % 2 === 0 ? 'POLICY' : 'SERVICE',
    validity: i === 2 ? 'REPEALED' : 'VALID',
    department: i % 3 === 0 ? 'health' : 'civil',
    categories: i === 1 ? ['a', 'a', 'b'] : [],
    orgLevels: [1 + (i % 2)],
    updatedAt: new Date(asOf - i * 86_400_000),
    searchTerms: computeSearchTerms({ title, summary: i === 3 ? '医保' : undefined }),
  }));

  it('runs compiled on the embedded server, with the results mingo gives', () => {
    const plan = parseQuery('医保', dictionary);
    const runCompiled = (stages: Record<string, unknown>[]) => {
      let fallbacks = 0;
      const compiled = runAggregation(docs, stages, {
        probe: () => [],
        indexed: () => false,
        scan: () => [],
        size: () => 0,
        mingo: (input, mingoStages) => {
          fallbacks += 1;
          return runPipeline(input, mingoStages, () => []);
        },
        variables: {},
      });
      expect(fallbacks).toBe(0);
      return compiled;
    };
    for (const cursor of [undefined, { v: 1 as const, s: 10_000, id: docs[0]!._id.toHexString(), t: asOf }]) {
      const [match, ...rest] = rankingPipeline({}, plan, { cursor, first: 2, asOf });
      expect(runCompiled(rest)).toEqual(runPipeline(docs, [match!, ...rest], () => []));
    }
    const [match, ...rest] = countsPipeline({});
    const compiled = runCompiled(rest);
    expect(compiled).toEqual(runPipeline(docs, [match!, ...rest], () => []));
    const { total, facets } = facetCounts(compiled as unknown as FacetCombination[]);
    expect(total).toBe(docs.length);
    // Document 1's categories ['a', 'a', 'b'] count once each.
    expect(facets.category).toEqual(expect.arrayContaining([{ value: 'a', count: 1 }, { value: 'b', count: 1 }]));
    expect(facets.kind).toEqual(expect.arrayContaining([{ value: 'POLICY', count: 3 }, { value: 'SERVICE', count: 2 }]));
    expect(facets.orgLevel).toEqual(expect.arrayContaining([{ value: '1', count: 3 }, { value: '2', count: 2 }]));
  });
});

describe('cursor', () => {
  it('round-trips a rank position', () => {
    const id = 'a'.repeat(24);
    const cursor = decodeSearchCursor(encodeSearchCursor({ score: 20, id, asOf: 5 }));
    expect(cursor).toEqual({ v: 1, s: 20, id, t: 5 });
  });

  it('rejects tampered cursors', () => {
    expect(() => decodeSearchCursor('not-a-cursor')).toThrow(/无效的游标 \/ Invalid cursor/);
    const forged = Buffer.from(JSON.stringify({ v: 1, s: 'x', id: 'a'.repeat(24), t: 1 })).toString('base64url');
    expect(() => decodeSearchCursor(forged)).toThrow(SearchQueryError);
    const notAnId = Buffer.from(JSON.stringify({ v: 1, s: 1, id: 'a', t: 1 })).toString('base64url');
    expect(() => decodeSearchCursor(notAnId)).toThrow(SearchQueryError);
  });
});

describe('highlight', () => {
  it('marks matches in the original text, synonyms and full-width forms included', () => {
    const plan = parseQuery('医保 etc', dictionary);
    expect(highlightAll('城乡居民医疗保险与ＥＴＣ', highlightTexts(plan)).html).toBe('城乡居民<em>医疗保险</em>与<em>ＥＴＣ</em>');
  });

  it('escapes everything, so hostile text cannot break out', () => {
    const html = highlightAll('<script>医保</script> & "x"', ['医保']).html;
    expect(html).toBe('&lt;script&gt;<em>医保</em>&lt;/script&gt; &amp; &quot;x&quot;');
    const tag = highlightAll('a<em>b', ['em']).html;
    expect(tag).toBe('a&lt;<em>em</em>&gt;b');
  });

  it('cuts a window around the first match with ellipses', () => {
    const text = '前'.repeat(100) + '法律援助' + '后'.repeat(100);
    const snippet = highlightSnippet(text, ['法律援助'], 40);
    expect(snippet.matched).toBe(true);
    expect(snippet.html.startsWith('…')).toBe(true);
    expect(snippet.html.endsWith('…')).toBe(true);
    expect(snippet.html).toContain('<em>法律援助</em>');
    expect(highlightSnippet('短文本', ['无'], 40)).toEqual({ html: '短文本', matched: false });
  });

  it('never splits a surrogate pair', () => {
    const text = '𠀀'.repeat(50) + '援助' + '𠀀'.repeat(50);
    const snippet = highlightSnippet(text, ['援助'], 20).html;
    expect(snippet).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });
});
