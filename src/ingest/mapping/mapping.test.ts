import { describe, expect, it } from 'vitest';
import {
  compileMapping,
  decodeEntities,
  getPath,
  htmlToText,
  mappingSpecSchema,
  parseDate,
  parseNumber,
  parsePath,
  sanitizeHtml,
  splitList,
  toHalfWidth,
  validatedRecord,
  type MappingSpec,
} from './index.js';
import { normalizedRecordSchema } from '../../domain/catalog/normalized-record.js';

const iso = (date: Date) => date.toISOString();

describe('parseDate', () => {
  it.each([
    ['2023年5月1日', '2023-04-30T16:00:00.000Z'],
    ['２０２３年５月１日', '2023-04-30T16:00:00.000Z'],
    ['2023年05月01日 14时30分', '2023-05-01T06:30:00.000Z'],
    ['20230501', '2023-04-30T16:00:00.000Z'],
    ['2023.05.01', '2023-04-30T16:00:00.000Z'],
    ['2026.07.24', '2026-07-23T16:00:00.000Z'],
    ['2017/9/4', '2017-09-03T16:00:00.000Z'],
    ['2023-05-01', '2023-04-30T16:00:00.000Z'],
    ['2022-12-23 14:05:14.668579', '2022-12-23T06:05:14.668Z'],
    ['2015-12-16T00:20:05.739', '2015-12-15T16:20:05.739Z'],
    ['2026-07-15T08:30:00+08:00', '2026-07-15T00:30:00.000Z'],
    ['2015-12-16T00:20:05Z', '2015-12-16T00:20:05.000Z'],
    ['Tue, 10 Aug 2021 10:00:00 +1000', '2021-08-10T00:00:00.000Z'],
    ['Wed, 15 Jul 2026 08:30:00 CST', '2026-07-15T00:30:00.000Z'],
    ['民国112年5月1日', '2023-04-30T16:00:00.000Z'],
    ['民國112年05月01日', '2023-04-30T16:00:00.000Z'],
    ['112/05/01', '2023-04-30T16:00:00.000Z'],
    ['1682870400000', '2023-04-30T16:00:00.000Z'],
    ['1682870400', '2023-04-30T16:00:00.000Z'],
  ])('auto: %s', (input, expected) => {
    expect(iso(parseDate(input))).toBe(expected);
  });

  it('reads epoch numbers as milliseconds, or seconds when told', () => {
    expect(iso(parseDate(1682870400000))).toBe('2023-04-30T16:00:00.000Z');
    expect(iso(parseDate(1682870400, 'epochS'))).toBe('2023-04-30T16:00:00.000Z');
  });

  it('needs an explicit format for DD/MM/YYYY and MM/DD/YYYY', () => {
    expect(() => parseDate('04/09/2017')).toThrow(/DD\/MM\/YYYY/);
    expect(iso(parseDate('04/09/2017', 'DD/MM/YYYY'))).toBe('2017-09-03T16:00:00.000Z');
    expect(iso(parseDate('09/04/2017', 'MM/DD/YYYY'))).toBe('2017-09-03T16:00:00.000Z');
  });

  it('uses the given timezone for wall-clock times', () => {
    expect(iso(parseDate('2023-05-01 09:00', 'auto', 'UTC'))).toBe('2023-05-01T09:00:00.000Z');
    expect(iso(parseDate('2022-12-23 14:05:14', 'auto', 'Asia/Taipei'))).toBe('2022-12-23T06:05:14.000Z');
    expect(iso(parseDate('2023-07-01 12:00', 'auto', 'Europe/London'))).toBe('2023-07-01T11:00:00.000Z');
  });

  it('reads ROC years with an explicit format, including two-digit ones', () => {
    expect(iso(parseDate('99/1/2', 'roc'))).toBe('2010-01-01T16:00:00.000Z');
    expect(() => parseDate('99/1/2')).toThrow();
  });

  it.each(['2023-02-30', '2023年13月1日', 'not a date', '昨天', '', '12345'])('rejects %j', (input) => {
    expect(() => parseDate(input)).toThrow(/日期|date/i);
  });
});

describe('text transforms', () => {
  it('full-width to half-width keeps 〔〕 and CJK punctuation', () => {
    expect(toHalfWidth('国办发〔２０２４〕１２号')).toBe('国办发〔2024〕12号');
    expect(toHalfWidth('ＡＢＣ　１２３，：（）')).toBe('ABC 123,:()');
    expect(toHalfWidth('《条例》、。；')).toBe('《条例》、。;');
  });

  it('decodes double-escaped entities', () => {
    expect(decodeEntities('Australia&#039;s')).toBe("Australia's");
    expect(decodeEntities('Australia&amp;#039;s')).toBe("Australia's");
    expect(decodeEntities('a &amp;amp; b')).toBe('a & b');
    expect(decodeEntities('&lt;b&gt;')).toBe('<b>');
  });

  it('sanitizes HTML against an allowlist', () => {
    const dirty =
      '<p onclick="x()">政策<em>解读</em><script>alert(1)</script></p><a href="javascript:alert(1)">x</a><a href="https://gov.cn/a">链接</a><img src="data:x" /><iframe src="https://evil"></iframe><style>p{}</style>';
    const clean = sanitizeHtml(dirty);
    expect(clean).toContain('<p>政策<em>解读</em></p>');
    expect(clean).not.toMatch(/script|onclick|javascript|iframe|style|data:/);
    expect(clean).toContain('<a href="https://gov.cn/a" rel="noopener noreferrer">链接</a>');
    expect(sanitizeHtml('It&amp;#039;s')).toBe('It&#039;s'.replace('&#039;', "'"));
  });

  it('turns HTML into plain text with line breaks at blocks', () => {
    expect(htmlToText('<p>第一段</p><p>第二&nbsp;段<br>换行</p>')).toBe('第一段\n第二 段\n换行');
    expect(htmlToText('关于<em>养老</em>服务的通知')).toBe('关于养老服务的通知');
    expect(htmlToText('Australia&amp;#039;s <b>plan</b><script>x</script>')).toBe("Australia's plan");
  });

  it('splits on Chinese and ASCII separators', () => {
    expect(splitList('身份证；户口本;  申请表、照片，证明,其他|更多')).toEqual(['身份证', '户口本', '申请表', '照片', '证明', '其他', '更多']);
    expect(splitList('交通运输部 国家铁路局', [' '])).toEqual(['交通运输部', '国家铁路局']);
    expect(splitList('；；')).toEqual([]);
  });

  it('parses numbers as written in sheets', () => {
    expect(parseNumber('169732.0', true)).toBe(169732);
    expect(parseNumber('１，２３４', false)).toBe(1234);
    expect(parseNumber('24.3', false)).toBe(24.3);
    expect(() => parseNumber('24.3', true)).toThrow(/整数/);
    expect(() => parseNumber('约三天', false)).toThrow(/不是数字/);
    expect(() => parseNumber('', false)).toThrow();
  });
});

describe('paths', () => {
  it('parses dot, bracket, quoted and wildcard paths', () => {
    expect(parsePath('searchVO.catMap.gongwen.listVO[0].title')).toEqual(['searchVO', 'catMap', 'gongwen', 'listVO', 0, 'title']);
    expect(parsePath('a["x.y"][*].z')).toEqual(['a', 'x.y', '*', 'z']);
    expect(() => parsePath('a..b')).toThrow();
    expect(getPath({ a: [{ u: 1 }, { u: 2 }, {}] }, parsePath('a[*].u'))).toEqual([1, 2]);
  });
});

const policySpec: MappingSpec = {
  kind: 'POLICY',
  constants: { department: 'justice', categories: ['政策文件'] },
  fields: [
    { target: 'sourceId', source: 'id' },
    { target: 'title', source: 'title', transforms: [{ op: 'html', output: 'text' }] },
    { target: 'docNumber', source: 'pcode', transforms: [{ op: 'halfWidth' }, { op: 'trim' }] },
    { target: 'publishedAt', source: ['pubtimeStr', 'ptime'], transforms: [{ op: 'date' }] },
    { target: 'issuers', source: 'puborg', transforms: [{ op: 'split', separators: [' '] }] },
    { target: 'validity', source: 'status', transforms: [{ op: 'lookup', table: { 有效: 'VALID', 失效: 'EXPIRED', 废止: 'REPEALED' } }, { op: 'default', value: 'VALID' }] },
    { target: 'sourceUrl', source: 'url' },
    { target: 'theme', source: 'childtype', transforms: [{ op: 'regex', pattern: '([^\\\\]+)$' }] },
    { target: 'body', source: 'content', transforms: [{ op: 'html' }] },
  ],
};

describe('compileMapping', () => {
  const map = compileMapping(policySpec);

  it('maps a gov.cn-style policy record', () => {
    const result = map({
      sourceId: 'x',
      data: {
        id: '0012345',
        title: '国务院关于<em>文化</em>工作的批复',
        pcode: '国函〔２０２６〕８０号 ',
        pubtimeStr: '2026.07.24',
        puborg: '交通运输部 国家铁路局',
        status: '',
        url: 'https://www.gov.cn/zhengce/content/202607/content_1.htm',
        childtype: '文化、广电、新闻出版\\文化',
        content: '<p>正文<script>x</script></p>',
      },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.record).toMatchObject({
      kind: 'POLICY',
      sourceId: '0012345',
      title: '国务院关于文化工作的批复',
      docNumber: '国函〔2026〕80号',
      issuers: ['交通运输部', '国家铁路局'],
      validity: 'VALID',
      department: 'justice',
      categories: ['政策文件'],
      theme: '文化',
      body: '<p>正文</p>',
    });
    expect((result.record as { publishedAt: Date }).publishedAt.toISOString()).toBe('2026-07-23T16:00:00.000Z');
  });

  it('keeps leading zeros of ids and falls back to the reader key', () => {
    const bare = compileMapping({ kind: 'SERVICE', constants: { department: 'health' }, fields: [{ target: 'title', source: 'name' }, { target: 'itemCode', source: 'code' }] });
    const result = bare({ sourceId: '000123', data: { name: '疫苗接种', code: '00456' } });
    expect(result).toMatchObject({ ok: true, record: { sourceId: '000123', itemCode: '00456' } });
  });

  it('falls back across several source paths (epoch ms when the dotted date is absent)', () => {
    const result = map({ sourceId: 'x', data: { id: '1', title: 't', ptime: 1753286400000 } });
    expect(result.ok && (result.record as { publishedAt: Date }).publishedAt.toISOString()).toBe('2025-07-23T16:00:00.000Z');
  });

  it('rejects with a reason per field', () => {
    const result = map({ sourceId: 'x', data: { id: '1', title: '', pubtimeStr: '去年', url: 'not a url' } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^publishedAt ← pubtimeStr \| ptime: 无法解析的日期/),
        expect.stringMatching(/^title \(← title\): 缺少必填字段/),
        expect.stringMatching(/^sourceUrl \(← url\)/),
      ]),
    );
  });

  it('rejects a value missing from a strict lookup table', () => {
    const strict = compileMapping({
      kind: 'SERVICE',
      constants: { department: 'health' },
      fields: [
        { target: 'title', source: 'n' },
        { target: 'serviceType', source: 't', transforms: [{ op: 'lookup', table: { '1': '行政许可' }, otherwise: 'reject' }] },
      ],
    });
    expect(strict({ sourceId: '1', data: { n: 'x', t: '1' } })).toMatchObject({ ok: true, record: { serviceType: '行政许可' } });
    expect(strict({ sourceId: '1', data: { n: 'x', t: '9' } })).toMatchObject({ ok: false, reasons: [expect.stringContaining('对照表')] });
  });

  it('maps services with nested targets, numbers, booleans, constants and wrapped arrays', () => {
    const service = compileMapping({
      kind: 'SERVICE',
      constants: { department: 'health' },
      fields: [
        { target: 'title', source: '事项名称', transforms: [{ op: 'trim' }] },
        { target: 'materials', source: '申报材料', transforms: [{ op: 'split' }] },
        { target: 'timeLimitDays', source: '办理时限', transforms: [{ op: 'halfWidth' }, { op: 'regex', pattern: '(\\d+)' }, { op: 'number', integer: true }] },
        { target: 'isFree', source: '是否收费', transforms: [{ op: 'boolean', true: ['否'], false: ['是'] }] },
        { target: 'locations[0].address', source: '办理地点' },
        { target: 'locations[0].phone', source: '电话', transforms: [{ op: 'halfWidth' }] },
        { target: 'tags', source: '标签' },
        { target: 'audience', transforms: [{ op: 'constant', value: ['居民'] }] },
      ],
    });
    const result = service({
      sourceId: '0001',
      data: { 事项名称: ' 预防接种证补办 ', 申报材料: '身份证；出生医学证明、原接种证', 办理时限: '１５个工作日', 是否收费: '否', 办理地点: '社区卫生服务中心', 电话: '０２１－１２３４５', 标签: '疫苗' },
    });
    expect(result).toMatchObject({
      ok: true,
      record: {
        title: '预防接种证补办',
        materials: ['身份证', '出生医学证明', '原接种证'],
        timeLimitDays: 15,
        isFree: true,
        locations: [{ address: '社区卫生服务中心', phone: '021-12345' }],
        tags: ['疫苗'],
        audience: ['居民'],
      },
    });
  });

  it('returns records that validating again leaves unchanged, so the sync need not validate them twice', () => {
    const policy = map({ sourceId: 'x', data: { id: ' 7 ', title: ' 通知 ', pcode: '国函〔２０２６〕８号', pubtimeStr: '2026.07.24', puborg: '甲 乙', url: 'https://www.gov.cn/a.htm', content: '<p>x</p>' } });
    const service = compileMapping({
      kind: 'SERVICE',
      constants: { department: 'health' },
      fields: [
        { target: 'title', source: 'n' },
        { target: 'locations[0].address', source: 'a' },
        { target: 'materials', source: 'm', transforms: [{ op: 'split' }] },
      ],
    })({ sourceId: 's', data: { n: ' 补办 ', a: ' 中心 ', m: '身份证； 户口簿 ' } });
    for (const result of [policy, service]) {
      expect(result.ok).toBe(true);
      if (!result.ok) continue;
      expect(validatedRecord(result.record)).toBe(result.record);
      expect(normalizedRecordSchema.parse(result.record)).toEqual(result.record);
      // A copy (a connector adjusting the record) is not taken as validated.
      expect(validatedRecord({ ...result.record })).toBeUndefined();
    }
  });

  it('never lets CLASSIFIED through a mapping unnoticed (it validates; the engine refuses to store)', () => {
    const spec = compileMapping({ kind: 'POLICY', constants: { department: 'x', confidentiality: 'SECRET' }, fields: [{ target: 'title', source: 't' }] });
    expect(spec({ sourceId: '1', data: { t: 'x' } })).toMatchObject({ ok: false, reasons: [expect.stringContaining('confidentiality')] });
  });

  it('validates the spec itself', () => {
    expect(mappingSpecSchema.safeParse({ fields: [{ target: 'a..b', source: 'x' }] }).success).toBe(false);
    expect(mappingSpecSchema.safeParse({ fields: [{ target: 'title', transforms: [{ op: 'regex', pattern: '(' }] }] }).success).toBe(false);
    expect(mappingSpecSchema.safeParse({ timezone: 'Mars/Base' }).success).toBe(false);
    expect(mappingSpecSchema.safeParse({ fields: [{ target: 'title', transforms: [{ op: 'nope' }] }] }).success).toBe(false);
    const roundTrip = JSON.parse(JSON.stringify(policySpec)) as unknown;
    expect(mappingSpecSchema.safeParse(roundTrip).success).toBe(true);
  });
});

describe('each transform in a spec', () => {
  const run = (transforms: unknown[], value: unknown, target = 'tags') => {
    const map = compileMapping({
      kind: 'SERVICE',
      constants: { department: 'health', title: 't' },
      fields: [{ target, source: 'v', transforms } as never],
    });
    return map({ sourceId: '1', data: { v: value } });
  };
  const tagsOf = (result: ReturnType<typeof run>) => (result.ok && 'tags' in result.record ? result.record.tags : result);

  it.each([
    ['trim', [{ op: 'trim' }], '\u3000 预约挂号 \u200b', ['预约挂号']],
    ['trim + collapse', [{ op: 'trim', collapseWhitespace: true }], '预约  \t 挂号', ['预约 挂号']],
    ['halfWidth on a doc number', [{ op: 'halfWidth' }], '浙卫发〔２０２４〕１２号', ['浙卫发〔2024〕12号']],
    ['decodeEntities', [{ op: 'decodeEntities' }], 'you&amp;#039;ve', ["you've"]],
    ['html text', [{ op: 'html', output: 'text' }], '<p>儿童&nbsp;<b>疫苗</b></p>', ['儿童 疫苗']],
    ['split default separators', [{ op: 'split' }], '甲；乙、丙|丁', ['甲', '乙', '丙', '丁']],
    ['split then join', [{ op: 'split' }, { op: 'join', separator: '/' }], '甲；乙', ['甲/乙']],
    ['lookup keep', [{ op: 'lookup', table: { '1': '门诊' } }], '2', ['2']],
    ['lookup drop', [{ op: 'lookup', table: { '1': '门诊' }, otherwise: 'drop' }, { op: 'default', value: '其他' }], '2', ['其他']],
    ['constant', [{ op: 'constant', value: ['固定'] }], 'ignored', ['固定']],
    ['default on empty', [{ op: 'default', value: '无' }], '', ['无']],
    ['regex named group', [{ op: 'regex', pattern: '〔(?<year>\\d{4})〕', group: 'year' }], '国办发〔2024〕12号', ['2024']],
    ['replace', [{ op: 'replace', pattern: '<\\/?em>' }], '<em>养老</em>服务', ['养老服务']],
    ['template', [{ op: 'template', template: 'https://zwfw.example.gov.cn/item/{value}' }], '0012', ['https://zwfw.example.gov.cn/item/0012']],
    ['string keeps digits as written', [{ op: 'string' }], 12, ['12']],
    ['string formats a date', [{ op: 'date' }, { op: 'string' }], '2023年5月1日', ['2023-04-30T16:00:00.000Z']],
  ])('%s', (_name, transforms, value, expected) => {
    expect(tagsOf(run(transforms, value))).toEqual(expected);
  });

  it('number and boolean feed typed fields', () => {
    expect(() => run([{ op: 'number', integer: true }], '１,２００', 'capacity')).toThrow(/Unknown target field capacity for SERVICE/);
    const service = run([{ op: 'number', integer: true }], '３', 'visitsRequired');
    expect(service).toMatchObject({ ok: true, record: { visitsRequired: 3 } });
    expect(run([{ op: 'boolean' }], '是', 'isFree')).toMatchObject({ ok: true, record: { isFree: true } });
    expect(run([{ op: 'boolean' }], '也许', 'isFree')).toMatchObject({ ok: false, reasons: [expect.stringContaining('是/否')] });
  });
});
