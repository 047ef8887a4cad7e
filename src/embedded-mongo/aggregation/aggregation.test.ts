import type { Document } from 'bson';
import { ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { compileFilter, runPipeline } from '../query.js';
import type { Doc } from '../values.js';
import { runAggregation, type PipelineEnv } from './index.js';
import { narrower } from './narrow.js';

/**
 * Differential tests: the compiled path against mingo (the server's reference evaluator) on the
 * same generated corpus, plus edge cases. Each pipeline also asserts that it ran compiled (no
 * stage handed to mingo, no re-run), so a pipeline silently falling back cannot pass vacuously.
 */

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seeded(7);
const pick = <T,>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
const units = Array.from({ length: 12 }, (_, i) => ({ _id: new ObjectId(), level: (i % 3) + 1, name: `u${i}`, tag: i % 4 === 0 ? null : `t${i % 3}` }));
const GHOST = new ObjectId();
/** Instants on both sides of Shanghai month ends (16:00Z is midnight there). */
const EDGES = ['2024-01-31T15:59:59.999Z', '2024-01-31T16:00:00Z', '2024-02-29T16:30:00Z', '2023-12-31T16:00:00Z', '2024-03-31T15:00:00Z'];

function generate(n: number): Doc[] {
  return Array.from({ length: n }, (_, i) => {
    const doc: Doc = { _id: i, kind: pick(['A', 'B', 'C']), n: pick([1, 2, 2.5, -3, 0, null, undefined, '7']) };
    if (doc.n === undefined) delete doc.n;
    if (random() < 0.9) doc.dept = pick(['health', 'edu', 'culture', null]);
    doc.tags = pick([[], ['x'], ['x', 'y'], ['y', 'x', 'x'], null, 'x']);
    doc.at = random() < 0.3 ? new Date(pick(EDGES)) : new Date(Date.UTC(2024, 0, 1) + Math.floor(random() * 366) * 86_400_000 + Math.floor(random() * 86_400_000));
    if (random() < 0.1) delete doc.at;
    doc.units = Array.from({ length: Math.floor(random() * 3) }, () => pick(units)._id);
    doc.unit = random() < 0.8 ? pick(units)._id : null;
    // Repeated values and one no unit has, around the document's own units.
    doc.mixed = random() < 0.5 ? [...(doc.units as ObjectId[]), GHOST, ...(doc.units as ObjectId[])] : doc.units;
    doc.nested = pick([{ x: 1, y: 'a' }, { x: 2 }, {}, null, [{ x: 3 }, { x: 4 }]]);
    // Equal ids in instances of their own, as every stored document has them.
    doc.unitCopies = (doc.units as ObjectId[]).map((id) => new ObjectId(id.id));
    if (doc.unit) doc.unitCopy = new ObjectId((doc.unit as ObjectId).id);
    doc.labels = [doc.kind, ...(doc.unitCopies as ObjectId[])];
    return doc;
  });
}

const corpus = generate(400);

/** `foreignSize` stands in for the collections' sizes (a large one makes `$lookup` probe the index). */
function harness(variables: Doc = {}, foreignSize?: number): { env: PipelineEnv; fallbacks: () => number; probes: () => number } {
  let fallbacks = 0;
  let probes = 0;
  const resolve = (name: string): Doc[] => (name === 'units' ? units : []);
  return {
    env: {
      probe: (from, field, value) => {
        probes += 1;
        return resolve(from).filter(compileFilter({ [field]: value }));
      },
      // `_id` probes the "index"; other fields hash a scan.
      indexed: (_from, field) => field === '_id',
      scan: resolve,
      size: (name) => foreignSize ?? resolve(name).length,
      mingo: (docs, stages) => {
        fallbacks += 1;
        return runPipeline(docs, stages, resolve, variables);
      },
      variables,
    },
    fallbacks: () => fallbacks,
    probes: () => probes,
  };
}

function viaMingo(pipeline: Document[], docs: Doc[] = corpus, variables: Doc = {}): Doc[] {
  return runPipeline(docs, pipeline, (name) => (name === 'units' ? units : []), variables);
}

function compiled(pipeline: Document[], docs: Doc[] = corpus, variables: Doc = {}): { results: Doc[]; fallbacks: number } {
  const { env, fallbacks } = harness(variables);
  const results = runAggregation(docs, pipeline, env);
  return { results, fallbacks: fallbacks() };
}

const PIPELINES: Record<string, Document[]> = {
  'group by a scalar with every accumulator': [
    {
      $group: {
        _id: '$kind',
        count: { $sum: 1 },
        total: { $sum: '$n' },
        avg: { $avg: '$n' },
        min: { $min: '$n' },
        max: { $max: '$n' },
        first: { $first: '$dept' },
        last: { $last: '$dept' },
        pushed: { $push: '$dept' },
        set: { $addToSet: '$dept' },
      },
    },
  ],
  'group keys: missing, null and mixed types apart': [{ $group: { _id: '$n', c: { $sum: 1 } } }],
  'group on a compound key with $ifNull': [{ $group: { _id: { d: { $ifNull: ['$dept', null] }, k: '$kind' }, c: { $sum: { $cond: [{ $eq: ['$kind', 'A'] }, 1, 0] } } } }],
  'group on a compound key with missing parts': [{ $group: { _id: { d: '$dept', n: '$n' }, c: { $sum: 1 }, last: { $last: '$_id' } } }],
  'group null with a constant sum': [{ $group: { _id: null, c: { $sum: 2 }, s: { $addToSet: '$tags' } } }],
  'sort with missing, null, numbers and strings': [{ $sort: { n: 1, _id: -1 } }],
  'sort descending then limit (top-k)': [{ $sort: { dept: -1, at: -1 } }, { $limit: 7 }],
  'sort by ObjectIds (and null), as top-k and in full': [{ $facet: { top: [{ $sort: { kind: -1, unit: 1 } }, { $limit: 9 }], all: [{ $sort: { unit: -1, _id: 1 } }] } }],
  'sort after group': [{ $group: { _id: '$dept', c: { $sum: 1 } } }, { $sort: { c: -1, _id: 1 } }],
  'project inclusion, computed and exclusion of _id': [{ $match: { n: { $not: { $type: 'string' } } } }, { $project: { _id: 0, kind: 1, dept: 1, twice: { $multiply: [{ $ifNull: ['$n', 0] }, 2] } } }],
  'project exclusion': [{ $project: { nested: 0, tags: 0 } }],
  'addFields with $$REMOVE and comparisons': [
    { $match: { n: { $type: 'number' } } },
    {
      $addFields: {
        tags: '$$REMOVE',
        big: { $gt: ['$n', 1] },
        small: { $lte: ['$n', 0] },
        ne: { $ne: ['$dept', 'health'] },
        either: { $or: [{ $eq: ['$kind', 'A'] }, { $not: ['$dept'] }] },
        diff: { $subtract: ['$n', 1] },
        ratio: { $divide: ['$n', 4] },
        sum: { $add: ['$n', 10] },
        floor: { $floor: '$n' },
        cmp: { $cmp: ['$n', 2] },
        rounded: { $round: [{ $divide: ['$n', 3] }, 2] },
        whole: { $round: [{ $multiply: ['$n', 1.5] }] },
        tenths: { $round: [{ $add: ['$n', 0.25] }, 1] },
        squared: { $pow: ['$n', 2] },
        halved: { $pow: [0.5, '$n'] },
        found: { $indexOfBytes: ['$dept', 'al'] },
      },
    },
  ],
  'arrays: size, elemAt, in, filter, map, setUnion, concat': [
    { $match: { tags: { $type: 'array' } } },
    {
      $set: {
        size: { $size: '$tags' },
        firstTag: { $arrayElemAt: ['$tags', 0] },
        lastTag: { $arrayElemAt: ['$tags', -1] },
        hasX: { $in: ['x', '$tags'] },
        onlyX: { $filter: { input: '$tags', as: 't', cond: { $eq: ['$$t', 'x'] } } },
        upper: { $map: { input: '$tags', in: { $concatArrays: [['$$this'], ['!']] } } },
        distinct: { $setUnion: ['$tags', []] },
        typeOf: { $type: '$n' },
        inLiteral: { $in: ['$dept', ['health', 'edu']] },
        inMixedLiteral: { $in: ['$n', ['7', 2.5, 'x']] },
      },
    },
  ],
  'setUnion of ObjectIds, nulls and missing values': [
    { $project: { u: { $setUnion: [['$unit', null, '$dept', '$unit', null]] }, v: { $setUnion: [['$missing', null, '$missing']] }, w: { $setUnion: ['$units', ['$unit', null]] } } },
  ],
  'eq on arrays and null': [{ $project: { a: { $eq: ['$tags', 'x'] }, b: { $eq: ['$dept', null] }, c: { $eq: ['$missing', null] }, d: { $gt: ['$n', null] } } }],
  'unwind, preserving empties, with index': [{ $unwind: { path: '$tags', preserveNullAndEmptyArrays: true, includeArrayIndex: 'i' } }],
  'unwind dropping empties': [{ $unwind: '$tags' }, { $group: { _id: '$tags', c: { $sum: 1 } } }],
  // An owned document carries every element in turn into stages that only read it; those that keep it get copies.
  'unwind into a projection and a group that only read, with an index': [
    { $unwind: { path: '$tags', includeArrayIndex: 'i' } },
    { $project: { tags: 1, i: 1, kind: 1, n: 1 } },
    { $unwind: { path: '$kind' } },
    { $group: { _id: '$kind', rows: { $push: { t: '$tags', i: '$i' } }, first: { $first: '$tags' }, set: { $addToSet: '$i' } } },
  ],
  'unwind into a group that keeps $$ROOT': [{ $project: { tags: 1, kind: 1 } }, { $unwind: '$tags' }, { $group: { _id: '$kind', docs: { $push: '$$ROOT' }, last: { $last: '$$CURRENT' } } }],
  'unwind into a top-k': [{ $project: { tags: 1, kind: 1 } }, { $unwind: { path: '$tags', includeArrayIndex: 'i' } }, { $sort: { kind: 1, _id: 1, i: 1 } }, { $limit: 6 }],
  'unwind into a projection holding $$ROOT': [{ $project: { tags: 1, kind: 1 } }, { $unwind: '$tags' }, { $project: { whole: '$$ROOT', kind: 1 } }],
  'unwind into facet branches that read, count and keep (top-k)': [
    { $project: { tags: 1, kind: 1, dept: 1 } },
    { $unwind: { path: '$tags', includeArrayIndex: 'i' } },
    { $facet: { byTag: [{ $group: { _id: '$tags', c: { $sum: 1 } } }], n: [{ $count: 'n' }], top: [{ $sort: { kind: 1, _id: 1, i: 1 } }, { $limit: 6 }], all: [{ $match: { kind: 'A' } }] } },
  ],
  'lookup on an array local field': [{ $lookup: { from: 'units', localField: 'units', foreignField: '_id', as: 'joined' } }, { $project: { names: '$joined.name', n: { $size: '$joined' } } }],
  'lookup on a scalar local field, null included': [{ $lookup: { from: 'units', localField: 'unit', foreignField: '_id', as: 'joined' } }],
  'lookup on an array with repeated and unknown values': [{ $lookup: { from: 'units', localField: 'mixed', foreignField: '_id', as: 'joined' } }, { $project: { names: '$joined.name' } }],
  'set union of small arrays: 0 and -0, NaN, null, missing, equal ObjectIds in instances of their own, mixed types': [
    {
      $project: {
        numbers: { $setUnion: [[0, -0, 1, 1, 2.5], [{ $ifNull: ['$n', 2.5] }]] },
        nan: { $setUnion: [[Number.NaN, 1, Number.NaN], [1]] },
        ids: { $setUnion: ['$unitCopies', '$units', [null, { $ifNull: ['$unit', null] }]] },
        withMissing: { $setUnion: [['$missing', null], ['$kind']] },
        mixed: { $setUnion: [['x', 1, '$kind'], '$unitCopies', ['$kind']] },
        strings: { $setUnion: ['$labels', ['A', 'A', '$kind']] },
      },
    },
  ],
  'lookup on a non-unique foreign field': [{ $lookup: { from: 'units', localField: 'dept', foreignField: 'tag', as: 'joined' } }],
  'roll-up: lookup, filter/map with cond and ancestors, unwind, group': [
    { $lookup: { from: 'units', localField: 'units', foreignField: '_id', as: 'u' } },
    {
      $addFields: {
        u: '$$REMOVE',
        anchor: {
          $filter: {
            input: { $setUnion: [{ $map: { input: '$u', as: 'x', in: { $cond: [{ $eq: ['$$x.level', 2] }, '$$x._id', { $cond: [{ $gt: ['$$x.level', 2] }, { $arrayElemAt: [['$$x._id'], 0] }, null] }] } } }] },
            as: 'a',
            cond: { $ne: ['$$a', null] },
          },
        },
      },
    },
    { $unwind: { path: '$anchor', preserveNullAndEmptyArrays: true } },
    { $group: { _id: { a: { $ifNull: ['$anchor', null] }, k: '$kind' }, c: { $sum: 1 } } },
  ],
  'roll-up into the lookup\'s own field (replaced, not removed), grouped with ObjectIds and documents in the key': [
    { $lookup: { from: 'units', localField: 'units', foreignField: '_id', as: 'r' } },
    { $addFields: { r: { $filter: { input: { $setUnion: [{ $map: { input: '$r', as: 'x', in: { $cond: [{ $eq: ['$$x.level', 1] }, null, '$$x._id'] } } }] }, as: 'a', cond: { $ne: ['$$a', null] } } } } },
    { $unwind: { path: '$r', preserveNullAndEmptyArrays: true } },
    { $group: { _id: { r: '$r', k: '$kind', u: '$units', t: '$tags' }, c: { $sum: 1 }, s: { $sum: '$n' } } },
  ],
  'group keys holding ObjectIds (equal ids in distinct instances): alone, in arrays, beside strings': [
    { $group: { _id: { u: '$unitCopies', one: '$unitCopy', l: '$labels' }, c: { $sum: 1 } } },
  ],
  'group by an ObjectId (equal ids in distinct instances), missing and null among them': [{ $group: { _id: '$unitCopy', c: { $sum: 1 } } }],
  'nested iterations: the inner body reads the outer variable and the document': [
    {
      $project: {
        m: { $map: { input: { $ifNull: ['$units', []] }, as: 'x', in: { $size: { $filter: { input: { $ifNull: ['$mixed', []] }, as: 'y', cond: { $and: [{ $eq: ['$$y', '$$x'] }, { $ne: ['$kind', 'C'] }] } } } } } },
      },
    },
  ],
  'lookup fused with the $set deriving its field: scalar string locals, missing locals, a derived null': [
    { $lookup: { from: 'units', localField: 'dept', foreignField: 'tag', as: 'j' } },
    { $set: { j: { $cond: [{ $gt: [{ $size: '$j' }, 1] }, { $size: '$j' }, null] } } },
    { $group: { _id: { j: '$j', d: '$dept' }, c: { $sum: 1 } } },
  ],
  'group keys with $dateTrunc parts (UTC: mingo ignores zones), missing dates and a dynamic unit left as is': [
    { $group: { _id: { m: { $dateTrunc: { date: '$at', unit: 'month' } }, w: { $dateTrunc: { date: '$at', unit: 'week', startOfWeek: 'monday' } }, k: '$kind' }, c: { $sum: 1 } } },
  ],
  // Set in place on owned (narrowed) documents by generated code: names are written as string literals.
  'field names with quotes, backslashes and line separators set in place': [
    { $addFields: { 'a"b': '$kind', 'c\\d': { $ifNull: ['$dept', 'none'] }, 'e\u2028f': '$tags', "g'${h}": 1 } },
    { $unwind: { path: '$e\u2028f', preserveNullAndEmptyArrays: true, includeArrayIndex: 'i"\\' } },
    { $lookup: { from: 'units', localField: 'units', foreignField: '_id', as: '`x`' } },
    { $group: { _id: { a: '$a"b', c: '$c\\d', e: '$e\u2028f', i: '$i"\\', g: "$g'${h}" }, n: { $sum: { $size: '$`x`' } } } },
  ],
  'lookup then an addFields reading the joined array and other fields': [
    { $lookup: { from: 'units', localField: 'units', foreignField: '_id', as: 'u' } },
    { $addFields: { u: '$$REMOVE', joined: { $size: '$u' }, k: '$kind' } },
  ],
  'lookup into an existing field, derived from and removed': [
    { $lookup: { from: 'units', localField: 'units', foreignField: '_id', as: 'kind' } },
    { $addFields: { kind: '$$REMOVE', names: '$kind.name', levels: { $map: { input: '$kind', as: 'x', in: '$$x.level' } } } },
  ],
  '$sum as an expression over a path through an array of documents and over a list': [
    { $lookup: { from: 'units', localField: 'units', foreignField: '_id', as: 'u' } },
    { $project: { levels: { $sum: '$u.level' }, names: { $sum: '$u.name' }, listed: { $sum: ['$n', 2, '$u'] } } },
  ],
  'dotted paths through documents, arrays of documents, indexes and scalars': [
    // Pushed, so that missing values show (as null) on both sides.
    { $group: { _id: '$kind', x: { $push: '$nested.x' }, y: { $push: '$nested.y' }, deeper: { $push: '$nested.x.z' }, first: { $push: '$tags.0' }, ofString: { $push: '$kind.length' } } },
  ],
  'facet with rows and totals': [
    { $match: { kind: { $in: ['A', 'B'] } } },
    { $facet: { rows: [{ $group: { _id: '$dept', c: { $sum: 1 } } }, { $project: { _id: 0, keys: '$_id', c: 1 } }], totals: [{ $group: { _id: null, c: { $sum: 1 } } }], n: [{ $count: 'n' }] } },
  ],
  'facet branches: one changes documents another returns': [
    { $project: { kind: 1, n: 1 } },
    { $facet: { changed: [{ $addFields: { kind: 'changed' } }, { $unwind: '$kind' }], same: [{ $limit: 3 }], counted: [{ $count: 'n' }] } },
  ],
  'facet branches streamed side by side: top-k with ties, skip and limit, count, groups by arrays': [
    { $project: { kind: 1, n: 1, tags: 1, dept: 1 } },
    {
      $facet: {
        top: [{ $sort: { kind: -1, _id: 1 } }, { $limit: 7 }],
        all: [{ $sort: { dept: 1 } }],
        page: [{ $match: { kind: 'B' } }, { $skip: 3 }, { $limit: 4 }],
        n: [{ $count: 'n' }],
        byTags: [{ $group: { _id: '$tags', c: { $sum: 1 } } }],
        byPair: [{ $group: { _id: { d: '$dept', t: '$tags' }, c: { $sum: 1 } } }],
        unwound: [{ $unwind: { path: '$tags', includeArrayIndex: 'i' } }, { $group: { _id: { t: '$tags', i: '$i' }, c: { $sum: 1 } } }],
      },
    },
  ],
  'a facet branch that needs its whole input beside streamed ones': [
    { $facet: { joined: [{ $lookup: { from: 'units', localField: 'unit', foreignField: '_id', as: 'u' } }, { $unwind: '$u' }, { $group: { _id: '$u.level', c: { $sum: 1 } } }], n: [{ $count: 'n' }] } },
  ],
  'unwound copies of an owned document changed in place downstream': [
    { $project: { tags: 1, kind: 1 } },
    { $unwind: { path: '$tags', includeArrayIndex: 'i' } },
    { $addFields: { tags: { $cond: [{ $eq: ['$tags', 'x'] }, 'X', '$tags'] }, kind: { $cond: [{ $eq: ['$i', 0] }, 'first', '$kind'] } } },
  ],
  'skip, limit and count': [{ $skip: 5 }, { $limit: 50 }, { $count: 'n' }],
  'date parts in UTC and in a zone': [
    { $match: { at: { $type: 'date' } } },
    { $project: { y: { $year: '$at' }, m: { $month: { date: '$at', timezone: '+00:00' } }, d: { $dayOfMonth: '$at' }, h: { $hour: '$at' } } },
  ],
  'let variables': [{ $project: { hit: { $eq: ['$kind', '$$wanted'] } } }],
  'a score as search computes it (generated code): substring cascades, recency, a penalty': [
    { $match: { tags: { $type: 'array' } } },
    {
      $project: {
        dept: 1,
        score: {
          $floor: {
            $add: [
              {
                $multiply: [
                  {
                    $add: [
                      { $cond: [{ $or: [{ $gte: [{ $indexOfBytes: [{ $arrayElemAt: ['$tags', 0] }, 'x'] }, 0] }, { $gte: [{ $indexOfBytes: ['$dept', 'ea'] }, 0] }] }, 10, 1] },
                      { $cond: [{ $eq: [{ $arrayElemAt: ['$tags', 1] }, 'x'] }, 10, 0] },
                      {
                        $ifNull: [
                          {
                            $cond: [
                              { $gt: [{ $ifNull: ['$at', '$missing'] }, new Date('2024-07-01T00:00:00Z')] },
                              3,
                              { $multiply: [3, { $pow: [0.5, { $divide: [{ $subtract: [new Date('2024-07-01T00:00:00Z'), { $ifNull: ['$at', '$missing'] }] }, 31_536_000_000] }] }] },
                            ],
                          },
                          0,
                        ],
                      },
                    ],
                  },
                  { $cond: [{ $and: [{ $eq: ['$kind', 'A'] }, { $in: ['$dept', ['edu', 'culture']] }] }, 500, 1000] },
                ],
              },
              0.5,
            ],
          },
        },
      },
    },
  ],
};

const variablesFor = (name: string): Doc => (name === 'let variables' ? { wanted: 'B' } : {});

describe('compiled aggregation agrees with mingo', () => {
  for (const [name, pipeline] of Object.entries(PIPELINES)) {
    it(name, () => {
      const variables = variablesFor(name);
      const { results, fallbacks } = compiled(pipeline, corpus, variables);
      expect(fallbacks).toBe(0);
      expect(results).toStrictEqual(viaMingo(pipeline, corpus, variables));
      expect(results.length).toBeGreaterThan(0);
    });
  }

  it('joins through index probes when the foreign collection outnumbers the inputs, through one hash otherwise', () => {
    const lookups = Object.entries(PIPELINES).filter(([name]) => name.includes('lookup'));
    expect(lookups.length).toBeGreaterThan(2);
    for (const [, pipeline] of lookups) {
      const expected = viaMingo(pipeline);
      const probing = harness({}, 1_000_000);
      expect(runAggregation(corpus, pipeline, probing.env)).toStrictEqual(expected);
      const hashing = harness();
      expect(runAggregation(corpus, pipeline, hashing.env)).toStrictEqual(expected);
      expect(hashing.probes()).toBe(0);
    }
    const probing = harness({}, 1_000_000);
    runAggregation(corpus, PIPELINES['lookup on a scalar local field, null included']!, probing.env);
    expect(probing.probes()).toBeGreaterThan(0);
  });

  it('switches from index probes to one hash of the foreign collection after a few distinct values', () => {
    // A collection of 384 documents is probed for 3 distinct values (1/128 of its size), then hashed.
    for (const [, pipeline] of Object.entries(PIPELINES).filter(([name]) => name.includes('lookup'))) {
      const switching = harness({}, 384);
      expect(runAggregation(corpus, pipeline, switching.env)).toStrictEqual(viaMingo(pipeline));
      // The harness indexes `_id` only: a join on another field hashes at once.
      expect(switching.probes()).toBe(JSON.stringify(pipeline).includes('"foreignField":"_id"') ? 3 : 0);
    }
  });

  it('derives a fused roll-up once per set of local values: unions in either order, with repeats and unknown ids, before and after the switch to a hash', () => {
    const ids = [...units.map((unit) => unit._id), GHOST];
    // Local arrays of 2–4 values, each set seen again in another order, with a repeat, or in copies of its ids.
    const docs = Array.from({ length: 120 }, (_, i) => {
      const base = [ids[i % 13]!, ids[(i * 5 + 3) % 13]!, ...(i % 3 === 0 ? [ids[(i * 7 + 1) % 13]!] : []), ...(i % 4 === 0 ? [ids[(i * 11 + 2) % 13]!] : [])];
      const variant = i % 5;
      const many = variant === 0 ? [...base].reverse() : variant === 1 ? [...base, base[0]!] : variant === 2 ? base.map((id) => new ObjectId(id.id)) : base;
      return { _id: i, many, k: i % 3 };
    });
    const pipeline = [
      { $lookup: { from: 'units', localField: 'many', foreignField: '_id', as: 'r' } },
      { $set: { r: { $filter: { input: { $setUnion: [{ $map: { input: '$r', as: 'u', in: { $cond: [{ $gt: ['$$u.level', 1] }, '$$u.tag', '$$u.name'] } } }] }, as: 'a', cond: { $ne: ['$$a', null] } } } } },
      { $unwind: { path: '$r', preserveNullAndEmptyArrays: true } },
      { $group: { _id: { r: '$r', k: '$k' }, n: { $sum: 1 }, docs: { $push: '$_id' } } },
    ];
    const expected = viaMingo(pipeline, docs);
    for (const size of [undefined, 384, 1_000_000]) {
      const { env, fallbacks } = harness({}, size);
      expect(runAggregation(docs, pipeline, env)).toStrictEqual(expected);
      expect(fallbacks()).toBe(0);
    }
  });

  it('does not modify the documents it receives', () => {
    const before = JSON.stringify(corpus);
    for (const [name, pipeline] of Object.entries(PIPELINES)) compiled(pipeline, corpus, variablesFor(name));
    expect(JSON.stringify(corpus)).toBe(before);
  });

  it('joins long arrays of local values (more than 8, repeated and unknown) in first-seen order', () => {
    const docs = Array.from({ length: 30 }, (_, i) => ({ _id: i, many: Array.from({ length: 9 + (i % 6) }, (_, k) => (k % 5 === 4 ? GHOST : units[(i * 7 + k * 3) % units.length]!._id)) }));
    const pipeline = [{ $lookup: { from: 'units', localField: 'many', foreignField: '_id', as: 'j' } }, { $project: { names: '$j.name' } }];
    const { results, fallbacks } = compiled(pipeline, docs);
    expect(fallbacks).toBe(0);
    expect(results).toStrictEqual(viaMingo(pipeline, docs));
  });

  it('reads dotted paths through scalars, documents, arrays and missing fields (missing stays missing, not null)', () => {
    const pipeline = [{ $project: { a: '$kind.length', b: '$nested.x', c: '$nested.x.z', d: '$tags.x', e: '$n.z', f: '$missing.x', g: '$nested.y' } }];
    const { results, fallbacks } = compiled(pipeline);
    expect(fallbacks).toBe(0);
    // mingo's $project keeps a missing value as an own undefined field and puts `_id` last; MongoDB
    // (and the compiled path) leaves the field out and `_id` first: compared by defined fields.
    const defined = (rows: Doc[]): Doc[] => rows.map((row) => Object.fromEntries(Object.entries(row).filter(([, value]) => value !== undefined)));
    expect(defined(results)).toEqual(defined(viaMingo(pipeline)));
    expect(results.some((row) => Object.keys(row).length > 1)).toBe(true);
  });

  it('unwinds missing elements without reordering the fields of the rows that follow', () => {
    const pipeline = [{ $addFields: { tags: ['$n', '$missing', '$dept', '$kind'] } }, { $unwind: '$tags' }, { $project: { nested: 0, units: 0, mixed: 0 } }];
    const { results, fallbacks } = compiled(pipeline);
    expect(fallbacks).toBe(0);
    // mingo keeps a missing element as an own undefined field, which JSON leaves out (as the compiled path does).
    expect(JSON.stringify(results)).toBe(JSON.stringify(viaMingo(pipeline)));
  });

  it('walks compound keys part by part: arrays apart from scalars, from other splits of the same values and by element type', () => {
    const id = units[0]!._id;
    // Pairs (p, q) that would meet if the parts were only concatenated, or arrays compared loosely.
    const pairs: Array<[unknown, unknown]> = [
      [['x', 'y'], 'z'], [['x'], ['y', 'z']], [['x', 'y', 'z'], undefined], ['x', ['y', 'z']], [['x'], 'y'], ['x', 'y'],
      [[1], '1'], [['1'], 1], [[true], 1], [[], []], [[], null], [null, []], [undefined, null], [null, undefined],
      [[id], 'x'], [[new ObjectId(id.id)], 'x'], [[id.toHexString()], 'x'], [[null], 'x'], [[0], [-0]], [[Number.NaN], 'x'],
    ];
    const docs = [...pairs, ...pairs].map(([p, q], i) => {
      const doc: Doc = { _id: i };
      if (p !== undefined) doc.p = p;
      if (q !== undefined) doc.q = q;
      return doc;
    });
    for (const pipeline of [
      [{ $group: { _id: { p: '$p', q: '$q' }, c: { $sum: 1 }, ids: { $push: '$_id' } } }],
      [{ $group: { _id: '$p', c: { $sum: 1 }, ids: { $push: '$_id' } } }],
    ]) {
      const { results, fallbacks } = compiled(pipeline, docs);
      expect(fallbacks).toBe(0);
      expect(results).toStrictEqual(viaMingo(pipeline, docs));
    }
  });

  it('narrows documents to own fields, inherited names and __proto__ included, as data properties', () => {
    const docs = [JSON.parse('{"_id": 1, "__proto__": "p", "constructor": "c", "a": 1}') as Doc, { _id: 2, a: 2 }];
    // The second document has no `constructor` of its own: it groups as missing, not as Object. (The
    // path is mingo's, on the narrowed copies: the compiled path leaves inherited names to it.)
    const byConstructor = [{ $group: { _id: '$constructor', n: { $sum: '$a' } } }];
    const { results } = compiled(byConstructor, docs);
    expect(results).toStrictEqual(viaMingo(byConstructor, docs));
    expect(results.map((row) => row._id)).toEqual(['c', null]);
    const copy = narrower(new Set(['__proto__', 'constructor', 'a']))(docs[0]!);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(copy, '__proto__')?.value).toBe('p');
    expect(Object.keys(copy!)).toEqual(['__proto__', 'constructor', 'a']);
  });

  it('samples distinct documents, at most as many as it is given (MongoDB; mingo repeats documents)', () => {
    const few = corpus.slice(0, 5);
    const all = compiled([{ $sample: { size: 10 } }], few);
    expect(all.fallbacks).toBe(0);
    expect(all.results.map((doc) => doc._id).sort()).toEqual(few.map((doc) => doc._id).sort());
    const some = compiled([{ $sample: { size: 150 } }, { $project: { _id: 1 } }]).results.map((doc) => doc._id);
    expect(some).toHaveLength(150);
    expect(new Set(some).size).toBe(150);
    expect(compiled([{ $sample: { size: 0 } }], few).results).toEqual([]);
    // Draws differ from run to run: 20 of 400 twice in the same order would be a broken shuffle.
    const draw = () => compiled([{ $sample: { size: 20 } }]).results.map((doc) => doc._id).join();
    expect(draw()).not.toBe(draw());
    // Errors as MongoDB reports them (mingo would loop forever on these sizes).
    expect(() => compiled([{ $sample: { size: -1 } }], few)).toThrow(expect.objectContaining({ code: 28747 }));
    expect(() => compiled([{ $sample: { size: 'x' } }], few)).toThrow(expect.objectContaining({ code: 28746 }));
    expect(() => compiled([{ $sample: {} }], few)).toThrow(expect.objectContaining({ code: 28749 }));
    expect(() => compiled([{ $sample: { size: 1, seed: 2 } }], few)).toThrow(expect.objectContaining({ code: 28748 }));
    expect(() => compiled([{ $sample: 3 }], few)).toThrow(expect.objectContaining({ code: 28745 }));
  });

  it('hands uncompiled stages to mingo and re-runs inputs it does not handle', () => {
    const bucket = [{ $bucket: { groupBy: '$_id', boundaries: [0, 100, 1000] } }];
    const stageFallback = compiled(bucket);
    expect(stageFallback.fallbacks).toBe(1);
    expect(stageFallback.results).toStrictEqual(viaMingo(bucket));
    // $size of a string is an error in mingo: the compiled path must not invent an answer.
    const odd = [{ $project: { s: { $size: '$tags' } } }];
    expect(() => compiled(odd)).toThrow();
    expect(() => viaMingo(odd)).toThrow();
  });
});

describe('dates with a timezone (MongoDB semantics; mingo ignores the zone)', () => {
  const shanghai = (iso: string): string => new Date(new Date(iso).getTime() + 8 * 3_600_000).toISOString();
  const dates = EDGES.map((iso) => ({ _id: iso, at: new Date(iso) }));

  it('$dateTrunc by month, week and day in Asia/Shanghai across month ends', () => {
    const { results, fallbacks } = compiled(
      [
        {
          $project: {
            month: { $dateTrunc: { date: '$at', unit: 'month', timezone: 'Asia/Shanghai' } },
            week: { $dateTrunc: { date: '$at', unit: 'week', timezone: 'Asia/Shanghai', startOfWeek: 'monday' } },
            day: { $dateTrunc: { date: '$at', unit: 'day', timezone: '+08:00' } },
            quarter: { $dateTrunc: { date: '$at', unit: 'quarter', timezone: 'Asia/Shanghai' } },
          },
        },
      ],
      dates,
    );
    expect(fallbacks).toBe(0);
    const byId = new Map(results.map((row) => [row._id as string, row]));
    // 2024-01-31T16:00Z is 2024-02-01 00:00 in Shanghai: February, whose start is 2024-01-31T16:00Z.
    expect(byId.get('2024-01-31T16:00:00Z')!.month).toEqual(new Date('2024-01-31T16:00:00Z'));
    expect(byId.get('2024-01-31T15:59:59.999Z')!.month).toEqual(new Date('2023-12-31T16:00:00Z'));
    expect(byId.get('2023-12-31T16:00:00Z')!.month).toEqual(new Date('2023-12-31T16:00:00Z'));
    // 2024-02-29T16:30Z is 1 March 00:30 in Shanghai: March, in the quarter that began on 1 January.
    expect(byId.get('2024-02-29T16:30:00Z')!.month).toEqual(new Date('2024-02-29T16:00:00Z'));
    expect(byId.get('2024-02-29T16:30:00Z')!.quarter).toEqual(new Date('2023-12-31T16:00:00Z'));
    // 2024-02-01 (Shanghai) was a Thursday: its week began Monday 2024-01-29 00:00 Shanghai.
    expect(byId.get('2024-01-31T16:00:00Z')!.week).toEqual(new Date('2024-01-28T16:00:00Z'));
    for (const row of results) {
      const local = shanghai(row._id as string);
      expect((row.day as Date).toISOString()).toBe(new Date(`${local.slice(0, 10)}T00:00:00+08:00`).toISOString());
    }
  });

  it('$dateToString, $dateToParts and $month in a zone', () => {
    const { results, fallbacks } = compiled(
      [
        {
          $project: {
            text: { $dateToString: { date: '$at', format: '%Y-%m-%d %H:%M:%S.%L %z', timezone: 'Asia/Shanghai' } },
            parts: { $dateToParts: { date: '$at', timezone: 'Asia/Shanghai' } },
            month: { $month: { date: '$at', timezone: 'Asia/Shanghai' } },
          },
        },
      ],
      dates,
    );
    expect(fallbacks).toBe(0);
    for (const row of results) {
      const local = shanghai(row._id as string);
      expect(row.text).toBe(`${local.slice(0, 10)} ${local.slice(11, 23)} +0800`);
      expect(row.month).toBe(Number(local.slice(5, 7)));
      expect(row.parts).toStrictEqual({
        year: Number(local.slice(0, 4)),
        month: Number(local.slice(5, 7)),
        day: Number(local.slice(8, 10)),
        hour: Number(local.slice(11, 13)),
        minute: Number(local.slice(14, 16)),
        second: Number(local.slice(17, 19)),
        millisecond: Number(local.slice(20, 23)),
      });
    }
  });

  it('a $dateTrunc group key in a zone groups as the truncated dates do', () => {
    const zoned = { $dateTrunc: { date: '$at', unit: 'month', timezone: 'Asia/Shanghai' } };
    const grouped = compiled([{ $group: { _id: { m: zoned, k: '$kind' }, c: { $sum: 1 } } }]);
    const projected = compiled([{ $project: { m: zoned, k: '$kind' } }, { $group: { _id: { m: '$m', k: '$k' }, c: { $sum: 1 } } }]);
    expect(grouped.fallbacks + projected.fallbacks).toBe(0);
    expect(grouped.results).toStrictEqual(projected.results);
    // Missing dates key null; 2024-01-31T16:00Z is February in Shanghai.
    expect(grouped.results.some((row) => (row._id as Doc).m === null)).toBe(true);
    expect(grouped.results.some((row) => { const m: unknown = (row._id as Doc).m; return m instanceof Date && m.getTime() === Date.parse('2024-01-31T16:00:00Z'); })).toBe(true);
  });

  it('$dateTrunc in a zone with daylight saving time', () => {
    const { results } = compiled([{ $project: { day: { $dateTrunc: { date: '$at', unit: 'day', timezone: 'America/New_York' } } } }], [
      { _id: 1, at: new Date('2024-03-10T12:00:00Z') },
      { _id: 2, at: new Date('2024-03-11T12:00:00Z') },
    ]);
    expect(results.map((row) => (row.day as Date).toISOString())).toEqual(['2024-03-10T05:00:00.000Z', '2024-03-11T04:00:00.000Z']);
  });
});
