import { describe, expect, it } from 'vitest';
import { Query } from 'mingo';
import { Collection } from './collection.js';
import { candidateDocs, plan } from './planner.js';
import { keyOf, type Doc } from './values.js';

function collectionWith(count: number): Collection {
  const collection = new Collection('db', 'c');
  collection.createIndex({ name: 'n_1', key: { n: 1 } });
  collection.createIndex({ name: 'g_1_n_1', key: { g: 1, n: 1 } });
  for (let i = 0; i < count; i++) collection.insert({ _id: i, n: i, g: i % 10 });
  return collection;
}

const size = (docs: Iterable<Doc>): number => [...docs].length;

describe('index planner', () => {
  const collection = collectionWith(10_000);

  it('answers _id and indexed equality with only the matching documents', () => {
    expect(size(candidateDocs(collection, { _id: 5 }))).toBe(1);
    expect(size(candidateDocs(collection, { _id: { $in: [1, 2, 3] } }))).toBe(3);
    expect(size(candidateDocs(collection, { n: 77 }))).toBe(1);
    expect(size(candidateDocs(collection, { g: 3, n: 13 }))).toBe(1);
    expect(size(candidateDocs(collection, { n: { $in: [1, 2, 20_000] } }))).toBe(2);
  });

  it('counts a range exactly as many entries as it would return, without building them', () => {
    const index = collection.indexes.get('g_1_n_1')!;
    const entries = () => collection.entries();
    const cases: [unknown[], Parameters<typeof index.countRange>[1]][] = [
      [[3], undefined],
      [[3], { lower: { value: 100, inclusive: true }, upper: { value: 200, inclusive: false } }],
      [[3], { lower: { value: 9_990, inclusive: false } }],
      [[], { upper: { value: 2, inclusive: true } }],
      [[11], undefined],
    ];
    for (const [prefix, bounds] of cases) {
      expect(index.countRange(prefix, bounds, entries), JSON.stringify({ prefix, bounds })).toBe(index.lookupRange(prefix, bounds, entries).length);
    }
    expect(index.countRange([3], undefined, entries)).toBe(1000);
  });

  it('answers ranges on the first indexed field from the sorted entries', () => {
    expect(size(candidateDocs(collection, { n: { $gte: 100, $lt: 150 } }))).toBe(50);
    expect(size(candidateDocs(collection, { g: { $lt: 1 } }))).toBe(1000);
    expect(size(candidateDocs(collection, { $and: [{ n: { $gt: 9990 } }, { x: 1 }] }))).toBe(9);
  });

  it('keeps the sorted entries exact across inserts, updates and deletes', () => {
    const fresh = collectionWith(1000);
    expect(size(candidateDocs(fresh, { n: { $gte: 500, $lt: 510 } }))).toBe(10);
    fresh.delete('n505');
    fresh.replace('n506', { _id: 506, n: 5000, g: 6 });
    fresh.insert({ _id: 'x', n: 501.5, g: 1 });
    const ids = [...candidateDocs(fresh, { n: { $gte: 500, $lt: 510 } })].map((doc) => doc._id);
    expect(ids.sort()).toEqual([500, 501, 502, 503, 504, 507, 508, 509, 'x'].sort());
    expect(size(candidateDocs(fresh, { n: { $gt: 4000 } }))).toBe(1);
  });

  it('falls back to every document when no index applies', () => {
    expect(size(candidateDocs(collection, { other: 1 }))).toBe(10_000);
    expect(size(candidateDocs(collection, { n: /1/ }))).toBe(10_000);
    expect(size(candidateDocs(collection, { $or: [{ n: 1 }, { other: 2 }] }))).toBe(10_000);
  });
});

describe('compound index prefixes', () => {
  it('answers an equality prefix plus a range on the next field', () => {
    const collection = new Collection('db', 'c');
    collection.createIndex({ name: 'status_at', key: { status: 1, at: -1 } });
    for (let i = 0; i < 2000; i++) collection.insert({ _id: i, status: i % 2 === 0 ? 'PUBLISHED' : 'DRAFT', at: i });
    // Each status a small share of the collection, so that the index beats a scan.
    for (let i = 2000; i < 18_000; i++) collection.insert({ _id: i, status: 'ARCHIVED', at: 100_000 + i });
    expect(size(candidateDocs(collection, { status: 'DRAFT' }))).toBe(1000);
    const ids = [...candidateDocs(collection, { status: 'PUBLISHED', at: { $gte: 100, $lt: 110 } })].map((doc) => doc._id);
    expect(ids.sort((a: number, b: number) => a - b)).toEqual([100, 102, 104, 106, 108]);
    expect(size(candidateDocs(collection, { status: { $in: ['PUBLISHED', 'DRAFT'] }, at: { $lt: 10 } }))).toBe(10);
  });
});

describe('large shares', () => {
  const collection = new Collection('db', 'c');
  collection.createIndex({ name: 'kind_1', key: { kind: 1 } });
  for (let i = 0; i < 8000; i++) collection.insert({ _id: i, kind: i % 100 === 0 ? 'NOTICE' : i % 2 === 0 ? 'POLICY' : 'SERVICE', n: i });

  it('scans with the whole filter when the indexes leave more than an eighth of the collection', () => {
    expect(size(plan(collection, { kind: 'SERVICE' }).docs)).toBe(8000);
    expect(plan(collection, { kind: 'SERVICE' }).residual).toEqual({ kind: 'SERVICE' });
    expect(size(plan(collection, { kind: 'NOTICE' }).docs)).toBe(80);
    expect(plan(collection, { kind: 'NOTICE' }).residual).toBeUndefined();
  });

  it('keeps to the index when the filter reads a long array (search terms) element by element', () => {
    const terms = new Collection('db', 't');
    terms.createIndex({ name: 'terms_1', key: { terms: 1 } });
    for (let i = 0; i < 800; i++) terms.insert({ _id: i, terms: [i % 2 === 0 ? 'even' : 'odd', ...Array.from({ length: 40 }, (_, j) => `w${j}`)] });
    expect(size(plan(terms, { terms: 'even' }).docs)).toBe(400);
    expect(plan(terms, { terms: 'even' }).residual).toBeUndefined();
  });

  it('keeps to the index when the filter needs mingo for every scanned document', () => {
    const filter = { kind: 'SERVICE', n: { $gt: 5 } };
    expect(size(plan(collection, filter).docs)).toBe(4000);
    expect(plan(collection, filter).residual).toEqual({ n: { $gt: 5 } });
  });
});

describe('intersecting equality conditions', () => {
  const collection = new Collection('db', 'c');
  collection.createIndex({ name: 'terms_1', key: { terms: 1 } });
  collection.createIndex({ name: 'status_1', key: { status: 1 } });
  for (let i = 0; i < 3000; i++) {
    const terms = [`t${i % 3}`, `u${i % 5}`, `v${i % 7}`];
    collection.insert({ _id: i, terms, status: i % 2 === 0 ? 'PUBLISHED' : 'DRAFT', n: i });
  }
  const ids = (filter: Record<string, unknown>): number[] =>
    [...plan(collection, filter).docs].map((doc) => doc._id as number).sort((a, b) => a - b);
  const expected = (test: (i: number) => boolean): number[] => Array.from({ length: 3000 }, (_, i) => i).filter(test);

  it('answers $all and ANDed $in on a multikey index with exactly the matches, leaving no filter', () => {
    const filter = { $and: [{ status: 'PUBLISHED' }, { terms: { $in: ['t1', 't2'] } }, { terms: { $all: ['u3', 'v4'] } }] };
    expect(ids(filter)).toEqual(expected((i) => i % 2 === 0 && i % 3 !== 0 && i % 5 === 3 && i % 7 === 4));
    expect(plan(collection, filter).residual).toBeUndefined();
  });

  it('keeps every condition the index does not answer exactly in the residual filter', () => {
    const filter = { terms: { $all: ['t0', 'u0'] }, n: { $gt: 100 }, status: { $in: ['DRAFT'], $ne: 'X' } };
    expect(ids(filter)).toEqual(expected((i) => i % 3 === 0 && i % 5 === 0 && i % 2 === 1));
    expect(plan(collection, filter).residual).toEqual({ n: { $gt: 100 }, status: { $in: ['DRAFT'], $ne: 'X' } });
    expect(plan(collection, { terms: 't0', status: null }).residual).toEqual({ status: null });
  });

});

describe('candidates listed once', () => {
  const collection = new Collection('db', 'c');
  collection.createIndex({ name: 'terms_1', key: { terms: 1 } });
  for (let i = 0; i < 3000; i++) {
    const terms = i % 100 === 0 ? ['r1', 'r2'] : i % 100 === 1 ? ['r1'] : i % 100 === 2 ? ['r2', 'x'] : ['x'];
    collection.insert({ _id: i, terms });
  }
  const ids = (filter: Record<string, unknown>): number[] => {
    const { docs, residual } = plan(collection, filter);
    expect(residual, 'answered by the index').toBeUndefined();
    return [...docs].map((doc) => doc._id as number).sort((a, b) => a - b);
  };
  const expected = (test: (i: number) => boolean): number[] => Array.from({ length: 3000 }, (_, i) => i).filter(test);

  it('however many of the conditions and values find a document', () => {
    // A document holding several of an $in's values (multikey), ids given twice, a condition
    // repeated under $and (a search's anchor $in beside its $all), unions of branches.
    expect(ids({ terms: { $in: ['r1', 'r2'] } })).toEqual(expected((i) => i % 100 <= 2));
    expect(ids({ terms: { $in: ['r2', 'r1', 'r2'] } })).toEqual(expected((i) => i % 100 <= 2));
    expect(ids({ _id: { $in: [5, 7, 5] } })).toEqual([5, 7]);
    expect(ids({ $and: [{ terms: { $in: ['r1'] } }, { terms: { $all: ['r1', 'r2'] } }] })).toEqual(expected((i) => i % 100 === 0));
    expect(ids({ $and: [{ terms: { $in: ['r1', 'r2'] } }, { $or: [{ terms: 'r1' }, { terms: { $all: ['r2', 'x'] } }] }] })).toEqual(
      expected((i) => i % 100 <= 2),
    );
  });
});

describe('stored strings shared (StringPool)', () => {
  // Every document gets its own copies (as off the wire): texts built at run time, not literals.
  const text = (parts: string[]): string => parts.join('');
  const long = '长'.repeat(40);
  const docs = Array.from({ length: 200 }, (_, i) => ({
    _id: i,
    status: text(['PUB', 'LISHED']),
    department: text([`部门${i % 7}`]),
    categories: [text(['a', String(i % 3)]), text(['b'])],
    title: text([long, String(i)]),
    tags: [text([long, String(i)]), text(['b'])],
    terms: Array.from({ length: 20 }, (_, k) => text(['t', String(k)])),
    nested: { name: text(['in', 'side']) },
    n: i,
  }));
  const collection = new Collection('db', 'c');
  for (const doc of docs) collection.insert(structuredClone(doc));

  it('keeps every stored value as it was', () => {
    expect([...collection.docs.values()]).toEqual(docs);
  });

  it('pools the short top-level texts and those of short arrays, nothing else', () => {
    // PUBLISHED, 7 departments, a0..a2, b: long texts (also in short arrays), the 20-term arrays and embedded documents stay out.
    expect(collection.strings.size).toBe(1 + 7 + 3 + 1);
  });

  it('stops pooling a field whose texts do not repeat, after a trial', () => {
    const skus = new Collection('db', 'skus');
    for (let i = 0; i < 3000; i++) skus.insert({ _id: i, sku: `SKU-${i}`, group: text(['g', String(i % 5)]) });
    // The first 1,000 SKUs were tried; the 5 groups keep being pooled.
    expect(skus.strings.size).toBe(1000 + 5);
    expect(skus.docs.get(keyOf(2999))).toEqual({ _id: 2999, sku: 'SKU-2999', group: 'g4' });
  });

  it('finds what a scan of the original documents finds', () => {
    const filters = [{ status: 'PUBLISHED' }, { department: '部门3', categories: 'a1' }, { categories: { $in: ['a2', 'x'] } }, { 'nested.name': 'inside' }];
    for (const filter of filters) {
      const expected = new Query(filter).find(docs).all().map((doc) => (doc as { _id: number })._id);
      expect([...candidateDocs(collection, filter)].filter((doc) => new Query(filter).test(doc)).map((doc) => doc._id), JSON.stringify(filter)).toEqual(expected);
    }
  });
});

describe('wide stored documents (literalCopy)', () => {
  // Past 16 fields a document built key by key is a dictionary; stored, it is one object literal of its fields.
  const wide = (i: number): Record<string, unknown> => {
    const doc: Record<string, unknown> = { _id: i };
    for (let f = 0; f < 20 + (i % 3); f++) doc[`f${(f * 7) % 23}`] = f % 2 === 0 ? `v${i % 5}` : [i, { n: f }];
    if (i % 4 === 0) doc['10'] = 'integer-like';
    return doc;
  };
  const docs = Array.from({ length: 60 }, (_, i) => wide(i));
  const odd = JSON.parse(`{"_id": 100, "__proto__": {"x": 1}, ${Array.from({ length: 20 }, (_, f) => `"g${f}": ${f}`).join(', ')}}`) as Record<string, unknown>;
  const collection = new Collection('db', 'c');
  for (const doc of [...docs, odd]) collection.insert(structuredClone(doc));

  it('keeps every field, value and field order', () => {
    for (const doc of docs) {
      const stored = collection.docs.get(keyOf(doc._id))!;
      expect(stored).toEqual(doc);
      expect(Object.keys(stored)).toEqual(Object.keys(doc));
    }
    const stored = collection.docs.get(keyOf(100))!;
    expect(Object.keys(stored)).toEqual(Object.keys(odd));
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(stored, '__proto__')?.value).toEqual({ x: 1 });
  });

  it('finds what a scan of the original documents finds', () => {
    for (const filter of [{ f7: 'v2' }, { f14: { $exists: false } }, { '10': 'integer-like' }]) {
      const expected = new Query(filter).find(docs).all().map((doc) => (doc as { _id: number })._id);
      expect([...candidateDocs(collection, filter)].filter((doc) => new Query(filter).test(doc) && doc._id !== 100).map((doc) => doc._id), JSON.stringify(filter)).toEqual(expected);
    }
  });
});

describe('slot lists and bitsets (Slots) across writes', () => {
  // A deterministic generator, so that a failure replays.
  let seed = 7;
  const random = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  const docFor = (id: number) => ({
    _id: id,
    terms: Array.from({ length: 1 + random(4) }, () => `t${random(12)}`),
    status: random(3) === 0 ? 'DRAFT' : 'PUBLISHED',
    g: random(5),
  });
  const filters: Record<string, unknown>[] = [
    { terms: 't1' },
    { terms: { $in: ['t2', 't3', 't2'] } },
    { terms: { $all: ['t4', 't5'] } },
    { $and: [{ status: 'PUBLISHED' }, { terms: { $in: ['t1', 't6'] } }, { terms: { $all: ['t1'] } }] },
    { $and: [{ terms: { $in: ['t7', 't8'] } }, { $or: [{ terms: 't9' }, { terms: { $all: ['t10', 't11'] } }] }] },
    { $or: [{ terms: 't0' }, { g: 3, terms: 't5' }] },
    { _id: { $in: [3, 50, 50, 700, 2_999, 99_999] } },
    { g: { $in: [1, 4] }, terms: 't3' },
  ];

  it('plans exactly the documents a scan matches, in the scan order, through inserts, updates, deletes and renumbering', () => {
    const collection = new Collection('db', 'c');
    collection.createIndex({ name: 'terms_1', key: { terms: 1 } });
    collection.createIndex({ name: 'g_1', key: { g: 1 } });
    let next = 0;
    let renumbered = 0;
    const live: number[] = [];
    const check = (step: string) => {
      const stored = [...collection.docs.values()];
      for (const filter of filters) {
        const { docs, residual } = plan(collection, filter);
        const matched = [...docs].filter((doc) => !residual || new Query(residual).test(doc)).map((doc) => doc._id);
        const scanned = stored.filter((doc) => new Query(filter).test(doc)).map((doc) => doc._id);
        expect(matched, `${step} ${JSON.stringify(filter)}`).toEqual(scanned);
      }
    };
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 800; i++) {
        live.push(next);
        collection.insert(docFor(next++));
      }
      check(`round ${round} inserted`);
      for (let i = 0; i < 300; i++) {
        const id = live[random(live.length)]!;
        collection.replace(keyOf(id), docFor(id));
      }
      check(`round ${round} updated`);
      // Deleting most documents renumbers the slots once more than half of them are free.
      for (let i = 0; i < (round % 2 === 0 ? 1200 : 150) && live.length > 0; i++) {
        const [id] = live.splice(random(live.length), 1);
        const width = collection.slots.width;
        collection.delete(keyOf(id));
        if (collection.slots.width < width) {
          renumbered++;
          check(`round ${round} renumbered`);
        }
        if (i % 10 === 0) collection.insert(docFor(id!)); // back, in a new slot
        if (i % 10 === 0) live.push(id!);
      }
      check(`round ${round} deleted`);
    }
    expect(renumbered).toBeGreaterThan(0);
  });
});

describe('an $or of term sets and date ranges (a search tier in one filter)', () => {
  let seed = 11;
  const random = (n: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  const DAY = 86_400_000;
  const at = (day: number) => new Date(Date.UTC(2026, 0, 1) + day * DAY);
  // Mostly dates; some missing, null, a string or a number where a date may be (only dates are in a range of dates).
  const maybeDate = (): unknown => {
    const pick = random(20);
    if (pick === 0) return undefined;
    if (pick === 1) return null;
    if (pick === 2) return '2026-06-01';
    if (pick === 3) return 20_000;
    return at(random(365));
  };
  const collection = new Collection('db', 'c');
  collection.createIndex({ name: 'terms_1', key: { terms: 1 } });
  collection.createIndex({ name: 'visible_updated', key: { status: 1, conf: 1, updatedAt: -1, _id: -1 } });
  collection.createIndex({ name: 'published', key: { publishedAt: -1, _id: -1 } });
  collection.createIndex({ name: 'starts', key: { startsAt: 1 } });
  collection.createIndex({ name: 'days', key: { days: 1 } });
  for (let i = 0; i < 12_000; i++) {
    const doc: Doc = {
      _id: i,
      terms: Array.from({ length: 1 + random(4) }, () => `t${random(6)}`),
      status: random(6) === 0 ? 'DRAFT' : 'PUBLISHED',
      conf: random(8) === 0 ? 'INTERNAL' : 'PUBLIC',
      updatedAt: maybeDate(),
      days: [at(random(365)), at(random(365))],
    };
    const published = maybeDate();
    if (published !== undefined) doc.publishedAt = published;
    const starts = maybeDate();
    if (starts !== undefined) doc.startsAt = starts;
    collection.insert(doc);
  }
  const stored = [...collection.docs.values()];
  const D = at(330);
  const tier = (or: Record<string, unknown>[]) => ({
    $and: [{ status: 'PUBLISHED', conf: 'PUBLIC' }, { terms: { $in: ['t1', 't2'] } }, { $or: or }],
  });
  const check = (filter: Record<string, unknown>) => {
    const { docs, residual } = plan(collection, filter);
    const candidates = [...docs];
    const matched = candidates.filter((doc) => !residual || new Query(residual).test(doc)).map((doc) => doc._id);
    const scanned = stored.filter((doc) => new Query(filter).test(doc)).map((doc) => doc._id);
    expect(matched, JSON.stringify(filter)).toEqual(scanned);
    return { candidates: candidates.length, residual };
  };

  it('answers every branch from the indexes and leaves no $or to check when each is exact', () => {
    const filter = tier([
      { $or: [{ terms: { $all: ['t1', 't3'] } }, { terms: { $in: ['t5'] } }] },
      { publishedAt: { $gte: D } },
      { startsAt: { $gte: D } },
      // Through {status, conf, updatedAt}: status and conf from the enclosing conjunction.
      { updatedAt: { $gte: D } },
    ]);
    const { candidates, residual } = check(filter);
    expect(residual).toEqual({ status: 'PUBLISHED', conf: 'PUBLIC' });
    expect(candidates).toBeLessThan(stored.length / 2);
    expect(check(tier([{ publishedAt: { $gt: at(300), $lte: at(310) } }, { updatedAt: { $lt: at(5) } }])).residual).toEqual({ status: 'PUBLISHED', conf: 'PUBLIC' });
  });

  it('keeps the $or to check when a branch is not exactly a range of dates on a single-valued index', () => {
    const cases = [
      // Two lower bounds: the index range keeps one of them.
      tier([{ terms: 't4' }, { publishedAt: { $gt: at(340), $gte: D } }]),
      // A multikey index: different elements may meet each bound.
      tier([{ terms: 't4' }, { days: { $gte: D, $lt: at(340) } }]),
      // Not a date.
      tier([{ terms: 't4' }, { startsAt: { $gte: 10_000 } }]),
      // A branch with a condition no range answers.
      tier([{ terms: 't4' }, { publishedAt: { $gte: D }, conf: { $ne: 'X' } }]),
    ];
    for (const filter of cases) {
      const { residual } = check(filter);
      expect(JSON.stringify(residual), JSON.stringify(filter)).toContain('$or');
    }
  });

  it('falls back as before when a branch has neither sets nor a range', () => {
    const filter = tier([{ terms: 't4' }, { other: { $gte: D } }]);
    expect(JSON.stringify(check(filter).residual)).toContain('$or');
    expect(check({ $or: [{ publishedAt: { $gte: D } }, { startsAt: { $lt: at(3) } }] }).candidates).toBeLessThan(stored.length / 4);
  });
});
