import { ObjectId, Timestamp, type Document } from 'bson';
import { Query } from 'mingo';
import { describe, expect, it } from 'vitest';
import { compileFilter, hasNativeMatcher, shapeResults } from './query.js';

const a = new ObjectId();
const b = new ObjectId();
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const docs: Document[] = [
  { _id: 1, s: 'x', t: ['x', 'y'], f: true, o: a, p: [{ id: a, k: 'm' }, { id: b, k: 'n' }], d: day('2024-01-01') },
  { _id: 2, s: 'y', t: [], f: false, o: b, p: { id: b, k: ['m', 'q'] }, d: [day('2023-01-01'), day('2025-01-01')] },
  { _id: 3, s: ['x'], t: [['x']], p: [[{ k: 'm' }]], n: 1, d: '2024-06-01', e: [{ at: day('2024-03-01') }, { at: day('2022-01-01') }] },
  { _id: 4, t: 'x', o: a.toHexString(), p: [{ k: 'n' }, 'm', { id: a }], d: day('2024-01-01').getTime(), e: { at: day('2026-01-01') } },
  { _id: 5, s: 'X', q: { r: [{ s: 'x' }, { s: 'y' }] }, d: null, e: [[{ at: day('2024-03-01') }]] },
  { _id: 6, d: new Timestamp({ t: 1_800_000_000, i: 1 }), e: { at: [day('2021-01-01'), day('2024-12-31')] } },
];

describe('native residual matcher', () => {
  const filters: Document[] = [
    { s: 'x' },
    { s: { $eq: 'x' } },
    { t: 'x' },
    { t: { $all: ['x', 'y'] } },
    { t: { $in: ['y', 'z'] } },
    { f: true },
    { f: false, s: 'y' },
    { f: { $eq: true }, s: { $eq: 'x' } },
    { s: 'x', t: { $eq: 'y' } },
    { s: { $in: ['x', 'y'] } },
    { t: { $in: ['y', true] }, f: { $in: [true, 'x'] } },
    { t: { $in: [] } },
    { o: { $in: ['x', a.toHexString()] } },
    { o: a },
    { o: { $in: [b, a.toHexString()] } },
    { 'p.id': a },
    { 'p.k': 'm' },
    { 'p.k': { $in: ['q', 'z'] } },
    { 'p.id': b, 'p.k': 'm' },
    { 'q.r.s': { $all: ['x', 'y'] } },
    { $or: [{ s: 'y' }, { t: 'x' }] },
    { $and: [{ 'p.k': 'm' }, { $or: [{ o: a }, { s: 'X' }] }] },
    { 'p.0.k': 'm' },
    { d: { $gte: day('2024-01-01') } },
    { d: { $gt: day('2024-01-01') } },
    { d: { $lt: day('2024-01-01') } },
    { d: { $lte: day('2024-01-01') } },
    // On an array, each bound may hold for a different element (no $elemMatch).
    { d: { $gt: day('2024-06-01'), $lt: day('2023-06-01') } },
    { d: { $gte: day('2023-01-01'), $lt: day('2030-01-01') }, s: 'y' },
    { 'e.at': { $gte: day('2024-01-01') } },
    { 'e.at': { $lt: day('2022-06-01') } },
    { $or: [{ d: { $gte: day('2025-01-01') } }, { 'e.at': { $gt: day('2025-01-01') } }] },
  ];

  it('checks every listed filter natively', () => {
    expect(filters.filter((filter) => !hasNativeMatcher(filter))).toEqual([]);
  });

  it('agrees with mingo on every document', () => {
    for (const filter of filters) {
      const native = compileFilter(filter);
      const library = new Query(filter, { idKey: '_id' });
      expect(docs.map((doc) => native(doc)), JSON.stringify(filter)).toEqual(docs.map((doc) => library.test(doc)));
    }
  });
});

describe('top-level projections', () => {
  it('keep the document order and `_id` as MongoDB does', () => {
    const [doc] = shapeResults([{ _id: 1, a: 1, b: [2], c: { d: 3 } }], { projection: { c: 1, a: 1 } });
    expect(Object.keys(doc!)).toEqual(['_id', 'a', 'c']);
    expect(shapeResults([{ _id: 1, a: 1, b: 2 }], { projection: { b: 0 } })).toEqual([{ _id: 1, a: 1 }]);
    expect(shapeResults([{ _id: 1, a: 1 }], { projection: { _id: 0, a: 1 } })).toEqual([{ a: 1 }]);
    expect(shapeResults([{ _id: 1, a: 1 }], { projection: { _id: 1 } })).toEqual([{ _id: 1 }]);
    expect(shapeResults([{ _id: 1, a: 1 }], { projection: { _id: 0 } })).toEqual([{ a: 1 }]);
  });
});
