import { describe, expect, it } from 'vitest';
import { createPrng, type Prng } from '../../seeds/prng.js';
import { highlightAll, highlightSnippet, type Highlight } from '../../src/search/highlight.js';
import { htmlToText } from '../../src/search/html-text.js';
import { normalizeUnits, normalizeWithOrigin } from '../../src/search/normalize.js';

/**
 * The highlighter finds matches with indexOf on the normalized text as one string and marks
 * only the snippet's range (normalizeUnits); texts with surrogate pairs go code point by code
 * point. Both must give exactly what marking every code point of the whole text gives: the
 * reference below, written the plain way.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function referenceMarks(text: string, targets: readonly string[]): { original: string[]; marked: boolean[] } {
  const { chars, origin, original } = normalizeWithOrigin(text);
  const marked = original.map(() => false);
  for (const target of targets) {
    const needle = Array.from(target);
    if (needle.length === 0) continue;
    for (let at = 0; at + needle.length <= chars.length; at++) {
      if (needle.every((ch, k) => chars[at + k] === ch)) for (let k = at; k < at + needle.length; k++) marked[origin[k]!] = true;
    }
  }
  return { original, marked };
}

function referenceRender(original: string[], marked: boolean[], from: number, to: number): string {
  let html = '';
  for (let i = from; i < to; ) {
    let j = i;
    while (j < to && marked[j] === marked[i]) j++;
    const segment = original.slice(i, j).join('').replace(/[&<>"']/g, (ch) => ESCAPES[ch]!);
    html += marked[i] ? `<em>${segment}</em>` : segment;
    i = j;
  }
  return html;
}

function referenceAll(text: string, targets: readonly string[]): Highlight {
  const { original, marked } = referenceMarks(text, targets);
  return { html: referenceRender(original, marked, 0, original.length), matched: marked.includes(true) };
}

function referenceSnippet(text: string, targets: readonly string[], length: number): Highlight {
  const { original, marked } = referenceMarks(text, targets);
  const first = marked.indexOf(true);
  const lead = Math.floor(length / 4);
  const start = first <= lead ? 0 : Math.min(first - lead, Math.max(0, original.length - length));
  const end = Math.min(original.length, start + length);
  const html = (start > 0 ? '…' : '') + referenceRender(original, marked, start, end) + (end < original.length ? '…' : '');
  return { html, matched: first >= 0 };
}

/** Pieces of hostile text: Han, full-width and upper-case forms, every bracket, folds to several characters (…, ㍿, ℃, ﬁ, İ), combining marks, surrogate pairs, markup. */
const PIECES = [
  '医', '保', '法', '律', '援', '助', '社', '区', '办', '理', '医保', '法律援助', '社区', ' ', '\n', '，', '。', '：', '、',
  'Ａ', 'ｂ', '１', 'A', 'b', 'c', '1', '2', 'ETC', 'etc', 'ＥＴＣ', '（', '）', '(', ')', '[', ']', '〔', '〕', '【', '】', '［', '］',
  '…', '……', '㍿', '℃', 'ﬁ', 'İ', 'Σ', 'ß', 'e\u0301', 'Å', '①', '\u00a0', '\u3000',
  '𠀀', '😀', '<', '>', '&', '"', "'", '<em>', '&amp;',
];

function randomText(prng: Prng, maxPieces: number, withAstral: boolean): string {
  let text = '';
  const count = prng.int(0, maxPieces);
  for (let i = 0; i < count; i++) {
    const piece = prng.pick(PIECES);
    if (!withAstral && /[\uD800-\uDFFF]/.test(piece)) continue;
    text += piece;
  }
  return text;
}

/** Targets as the query side makes them (normalized text), often cut from the text itself. */
function randomTargets(prng: Prng, text: string): string[] {
  const normalized = normalizeWithOrigin(text).chars;
  const targets: string[] = [];
  const count = prng.int(0, 4);
  for (let i = 0; i < count; i++) {
    if (normalized.length > 0 && prng.chance(0.7)) {
      const from = prng.int(0, normalized.length - 1);
      targets.push(normalized.slice(from, from + prng.int(1, 6)).join(''));
    } else {
      targets.push(normalizeWithOrigin(randomText(prng, 3, prng.chance(0.2))).chars.join(''));
    }
  }
  return targets;
}

describe('normalizeUnits', () => {
  it('gives the same normalized text and origins as code point by code point', () => {
    const prng = createPrng(7);
    let traced = 0;
    for (let round = 0; round < 3_000; round++) {
      const text = randomText(prng, 60, prng.chance(0.2));
      const units = normalizeUnits(text);
      const reference = normalizeWithOrigin(text);
      if (/[\uD800-\uDFFF]/.test(text)) {
        expect(units).toBeUndefined();
        continue;
      }
      expect(units).toBeDefined();
      expect(units!.normalized).toBe(reference.chars.join(''));
      const origin = units!.origin ?? Int32Array.from(units!.normalized, (_, i) => i);
      expect(Array.from(origin)).toEqual(reference.origin);
      if (units!.origin) traced++;
    }
    expect(traced).toBeGreaterThan(100);
  });

  it('returns the text itself when nothing folds', () => {
    const text = '医疗保险报销办理指南 abc 123';
    expect(normalizeUnits(text)).toEqual({ normalized: text, origin: undefined });
  });
});

describe('highlights against marking the whole text', () => {
  it('agree on random hostile texts, targets and snippet lengths', () => {
    const prng = createPrng(20_261_130);
    for (let round = 0; round < 4_000; round++) {
      const text = randomText(prng, prng.chance(0.3) ? 400 : 40, prng.chance(0.3));
      const targets = randomTargets(prng, text);
      expect(highlightAll(text, targets)).toEqual(referenceAll(text, targets));
      const length = prng.int(1, 150);
      expect(highlightSnippet(text, targets, length)).toEqual(referenceSnippet(text, targets, length));
    }
  });

  it('agree on long bodies with entities, where the match is late, early, overlapping or absent', () => {
    const paragraph = '<p>申请人可到社区服务中心办理&amp;咨询，&lt;法律援助&gt;电话：12348&hellip;&#x533B;保&nbsp;报销（门诊）【2025】</p>';
    const body = htmlToText(`<div>${'<p>前言。</p>'.repeat(200)}${paragraph.repeat(30)}<script>医保</script></div>`).replace(/\s+/g, ' ');
    expect(normalizeUnits(body)?.origin).toBeDefined();
    for (const targets of [['医保'], ['法律援助', '援助'], ['报销〔门诊〕'], ['...'], ['前言'], ['无此词'], ['助电', '援助电话'], [], ['']]) {
      for (const length of [1, 40, 120]) expect(highlightSnippet(body, targets, length)).toEqual(referenceSnippet(body, targets, length));
      expect(highlightAll(body, targets)).toEqual(referenceAll(body, targets));
    }
    expect(highlightSnippet(body, ['医保'], 120).html).toContain('<em>医保</em>');
  });

  it('agrees when a target holds a lone surrogate', () => {
    for (const targets of [['\uD840'], ['保\uDC00'], ['医']]) {
      const text = '医保𠀀医\uD840保';
      expect(highlightAll(text, targets)).toEqual(referenceAll(text, targets));
      expect(highlightAll('医保医保', targets)).toEqual(referenceAll('医保医保', targets));
    }
  });
});
