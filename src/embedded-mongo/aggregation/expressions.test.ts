import { ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import type { Doc } from '../values.js';
import { Deopt, NotCompiled, closureOf, compileExpression, type Fn } from './expressions.js';

/**
 * Generated expression code against the closures it is written from (the closures are checked
 * against mingo in aggregation.test.ts): the same value, or the same Deopt, for every document,
 * including the awkward ones (nil, NaN, invalid dates, mixed types, arrays).
 */

const HOSTILE = ['"); throw new Error("injected"); ("', '\\', '\u2028\u2029', '${x}', "'", '`', '</script>', '\ud800', 'a"]; doc = null; //'];

const DOCS: Doc[] = [
  { _id: 1, n: 2, m: 0.5, s: 'health care', t: ['health', 'edu'], d: new Date('2024-03-01T00:00:00Z'), e: new Date('2023-03-01T00:00:00Z'), k: 'POLICY', v: 'EXPIRED' },
  { _id: 2, n: -3, m: 0, s: '', t: [], d: new Date('2030-01-01T00:00:00Z'), k: 'SERVICE', v: 'VALID' },
  { _id: 3, n: null, s: null, t: null, d: null, k: null },
  { _id: 4 },
  { _id: 5, n: Number.NaN, m: Number.NaN, s: 'NaN', d: new Date(Number.NaN), e: new Date(Number.NaN), v: 7 },
  { _id: 6, n: '7', m: true, s: 42, t: 'x', d: '2024-01-01', k: ['POLICY'], v: ['EXPIRED'] },
  { _id: 7, n: 0, m: -0.5, s: 'edu', t: [null, 'edu', ['nested']], d: 5, e: new Date(0), k: new ObjectId('65f000000000000000000001'), v: { a: 1 } },
  { _id: 8, n: 1e21, m: 2, s: HOSTILE.join('|'), t: HOSTILE, d: new Date('2024-03-01T00:00:00Z'), e: 3, k: 'POLICY', v: 'REPEALED' },
  {
    _id: 9,
    'a"b': 'quoted',
    'back\\slash': 'slashed',
    '\u2028line': 'separated',
    'x"]);throw 1;//': 'escaped',
    '{x}': 'templated',
    '0': 'zero',
    n: 4,
    s: 'a"]; doc = null; //',
  },
];

const NOW = new Date('2026-11-30T00:00:00Z');

/** Every generated operator, with literal and computed arguments, nested as the search's score nests them. */
const EXPRESSIONS: Record<string, unknown> = {
  eq: { $eq: ['$k', 'POLICY'] },
  'eq computed': { $eq: ['$s', '$k'] },
  'eq null': { $eq: ['$n', null] },
  ne: { $ne: ['$t', 'edu'] },
  'gt literal': { $gt: ['$n', 1] },
  'gte literal': { $gte: [{ $indexOfBytes: ['$s', 'ea'] }, 0] },
  'lt computed': { $lt: ['$n', '$m'] },
  'lte dates': { $lte: ['$d', '$e'] },
  'gt date literal': { $gt: ['$d', NOW] },
  'gt null': { $gt: ['$n', null] },
  and: { $and: ['$n', { $gt: ['$m', 0] }, '$s'] },
  'and empty': { $and: [] },
  or: { $or: [{ $eq: ['$k', 'SERVICE'] }, '$s', { $lt: ['$n', 0] }] },
  'or empty': { $or: [] },
  not: { $not: ['$s'] },
  'not bare': { $not: { $eq: ['$n', 2] } },
  cond: { $cond: [{ $gte: [{ $indexOfBytes: ['$s', 'edu'] }, 0] }, 10, { $cond: ['$m', 3, 1] }] },
  'cond object': { $cond: { if: '$t', then: '$n', else: '$missing' } },
  ifNull: { $ifNull: ['$missing', '$n', '$m', 0] },
  'ifNull all nil': { $ifNull: ['$missing', '$n'] },
  add: { $add: ['$n', '$m', 0.5] },
  'add date': { $add: ['$d', '$n'] },
  'add empty': { $add: [] },
  subtract: { $subtract: ['$n', '$m'] },
  'subtract dates': { $subtract: [NOW, { $ifNull: ['$d', '$e'] }] },
  'subtract number from date': { $subtract: ['$d', 1.5] },
  multiply: { $multiply: ['$n', '$m', 3] },
  'multiply empty': { $multiply: [] },
  divide: { $divide: ['$n', '$m'] },
  pow: { $pow: [0.5, { $divide: [{ $subtract: [NOW, '$d'] }, 31_536_000_000] }] },
  'pow zero': { $pow: ['$m', '$n'] },
  floor: { $floor: { $add: [{ $multiply: ['$n', 1000] }, 0.5] } },
  ceil: { $ceil: '$m' },
  indexOfBytes: { $indexOfBytes: ['$s', 'a'] },
  'indexOfBytes hostile': { $indexOfBytes: ['$s', HOSTILE[0]] },
  'indexOfBytes computed': { $indexOfBytes: ['$s', '$k'] },
  arrayElemAt: { $arrayElemAt: ['$t', 1] },
  'arrayElemAt negative': { $arrayElemAt: ['$t', -1] },
  in: { $in: ['$v', ['EXPIRED', 'REPEALED']] },
  'in mixed': { $in: ['$v', ['EXPIRED', 7, new ObjectId('65f000000000000000000001')]] },
  'in computed': { $in: ['$s', { $ifNull: ['$t', []] }] },
  literal: { $literal: '$n' },
  'hostile strings': { $cond: [{ $eq: ['$s', HOSTILE[8]] }, HOSTILE[0], { $ifNull: ['$missing', HOSTILE[1], HOSTILE[2]] }] },
  'hostile field names': { $ifNull: ['$a"b', '$back\\slash', '$\u2028line', '$x"]);throw 1;//', '${x}', '$0', 'none'] },
  'dotted path and variables through closures': { $add: [{ $ifNull: ['$nested.x', 1] }, { $size: { $ifNull: ['$t', []] } }] },
  'a search score': {
    $floor: {
      $add: [
        {
          $multiply: [
            {
              $add: [
                { $cond: [{ $or: [{ $gte: [{ $indexOfBytes: [{ $arrayElemAt: ['$t', 0] }, 'hea'] }, 0] }, { $gte: [{ $indexOfBytes: ['$s', 'care'] }, 0] }] }, 10, 1] },
                { $cond: [{ $eq: [{ $arrayElemAt: ['$t', 0] }, 'health'] }, 10, 0] },
                {
                  $ifNull: [
                    {
                      $cond: [
                        { $gt: [{ $ifNull: ['$d', '$e', '$missing'] }, NOW] },
                        3,
                        { $multiply: [3, { $pow: [0.5, { $divide: [{ $subtract: [NOW, { $ifNull: ['$d', '$e', '$missing'] }] }, 31_536_000_000] }] }] },
                      ],
                    },
                    0,
                  ],
                },
              ],
            },
            { $cond: [{ $and: [{ $eq: ['$k', 'POLICY'] }, { $in: ['$v', ['EXPIRED', 'REPEALED']] }] }, 500, 1000] },
          ],
        },
        0.5,
      ],
    },
  },
};

type Outcome = { value: unknown } | { error: string };

function outcome(fn: Fn, doc: Doc): Outcome {
  try {
    return { value: fn(doc, {}) };
  } catch (error) {
    return { error: error instanceof Deopt ? 'Deopt' : String(error) };
  }
}

describe('generated expression code', () => {
  for (const [name, expr] of Object.entries(EXPRESSIONS)) {
    it(`agrees with the closures: ${name}`, () => {
      const scope = new Set<string>();
      const generated = compileExpression(expr, scope);
      expect(generated.name).toBe('generated');
      const closure = closureOf(expr, scope);
      for (const doc of DOCS) {
        const expected = outcome(closure, doc);
        expect(outcome(generated, doc), `document ${String(doc._id)}`).toStrictEqual(expected);
      }
    });
  }

  it('reads fields with hostile names as fields, and keeps hostile strings as data', () => {
    const names = compileExpression(EXPRESSIONS['hostile field names'], new Set());
    expect(names(DOCS[8]!, {})).toBe('quoted');
    expect(names({ '\u2028line': 'separated' }, {})).toBe('separated');
    expect(names({ 'x"]);throw 1;//': 'escaped' }, {})).toBe('escaped');
    expect(names({ '{x}': 'templated' }, {})).toBe('templated');
    expect(names({ '0': 'zero' }, {})).toBe('zero');
    expect(names({}, {})).toBe('none');
    const strings = compileExpression(EXPRESSIONS['hostile strings'], new Set());
    expect(strings({ s: HOSTILE[8] }, {})).toBe(HOSTILE[0]);
    expect(strings({}, {})).toBe(HOSTILE[1]);
  });

  it('refuses what the closures refuse (prototype fields, unknown variables) at compile time', () => {
    for (const expr of [{ $eq: ['$__proto__', 1] }, { $ifNull: ['$constructor', 1] }, { $add: ['$a.__proto__.b', 1] }, { $eq: ['$$unknown', 1] }, { $add: '$n' }]) {
      expect(() => closureOf(expr, new Set())).toThrow(NotCompiled);
      expect(() => compileExpression(expr, new Set())).toThrow(NotCompiled);
    }
  });

  it('shares one compiled function between expressions of the same shape', () => {
    const a = compileExpression({ $gte: [{ $indexOfBytes: ['$s', 'health'] }, 0] }, new Set());
    const b = compileExpression({ $gte: [{ $indexOfBytes: ['$s', '"); doc = null; ("'] }, 0] }, new Set());
    expect(a.toString()).toBe(b.toString());
    expect(a({ s: 'public health' }, {})).toBe(true);
    expect(b({ s: 'public health' }, {})).toBe(false);
  });
});
