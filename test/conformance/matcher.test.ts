import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Int32, Long, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { listedConformanceCases } from './known-differences.js';
import { matchValue, type MatchEntities } from './matcher.js';
import { compareVersions, unmetRequirements } from './requirements.js';

const saved: Record<string, unknown> = { savedId: new ObjectId('000000000000000000000001') };
const entities: MatchEntities = {
  entity: (id) => saved[id],
  sessionLsid: () => ({ id: 'lsid' }),
};
const match = (expected: unknown, actual: unknown, root = true): string | null =>
  matchValue(expected, actual, entities, root);

describe('unified format matcher', () => {
  it('allows extra fields only in root-level documents', () => {
    expect(match({ a: 1 }, { a: 1, b: 2 })).toBeNull();
    expect(match({ a: 1 }, { a: 1, b: 2 }, false)).toMatch(/extra field\(s\) b/);
    expect(match({ a: { x: 1 } }, { a: { x: 1, y: 2 } })).toMatch(/\$\.a: unexpected extra field\(s\) y/);
    expect(match([{ _id: 1 }], [{ _id: 1, x: 11 }])).toBeNull();
  });

  it('compares int32, int64 and double by value, and arrays by length and order', () => {
    expect(match(new Int32(3), 3)).toBeNull();
    expect(match(3, Long.fromNumber(3))).toBeNull();
    expect(match(3, 3.5)).toMatch(/expected 3, got 3.5/);
    expect(match(3, '3')).not.toBeNull();
    expect(match([1, 2], [1, 2, 3])).toMatch(/expected 2 elements, got 3/);
    expect(match([1, 2], [2, 1])).not.toBeNull();
  });

  it('evaluates $$exists, $$unsetOrMatches, $$type, $$matchesEntity and $$lte', () => {
    expect(match({ a: { $$exists: false } }, {})).toBeNull();
    expect(match({ a: { $$exists: false } }, { a: 1 })).toMatch(/be absent/);
    expect(match({ a: { $$exists: true } }, {})).toMatch(/exist/);
    expect(match({ a: { $$unsetOrMatches: 1 } }, {})).toBeNull();
    expect(match({ a: { $$unsetOrMatches: 1 } }, { a: 2 })).not.toBeNull();
    expect(match({ $$unsetOrMatches: { insertedId: 1 } }, { acknowledged: true, insertedId: 1 })).toBeNull();
    expect(match({ n: { $$type: ['int', 'long'] } }, { n: 5 })).toBeNull();
    expect(match({ s: { $$type: 'string' } }, { s: 5 })).toMatch(/expected type string/);
    expect(match({ $$matchesEntity: 'savedId' }, new ObjectId('000000000000000000000001'))).toBeNull();
    expect(match({ $$matchesEntity: 'savedId' }, new ObjectId())).not.toBeNull();
    expect(match({ $$lte: 5 }, 4)).toBeNull();
    expect(match({ $$lte: 5 }, 6)).not.toBeNull();
  });

  it('reports a missing field, and a document where a scalar was expected', () => {
    expect(match({ a: null }, {})).toMatch(/\$\.a: missing/);
    expect(match({ a: 1 }, { a: { b: 1 } })).not.toBeNull();
  });
});

describe('runOnRequirements', () => {
  const server = { version: '7.0.12', topology: 'replicaset' as const };

  it('compares versions numerically with missing parts as zero', () => {
    expect(compareVersions('7.0.12', '7.0.9')).toBe(1);
    expect(compareVersions('4.2', '4.2.0')).toBe(0);
    expect(compareVersions('4.4.99', '7.0.0')).toBe(-1);
  });

  it('runs when any one requirement is met and skips with a reason otherwise', () => {
    expect(unmetRequirements(undefined, server)).toBeNull();
    expect(unmetRequirements([{ minServerVersion: '8.0' }, { topologies: ['replicaset'] }], server)).toBeNull();
    expect(unmetRequirements([{ minServerVersion: '8.0' }], server)).toMatch(/needs server ≥ 8.0/);
    expect(unmetRequirements([{ maxServerVersion: '4.4.99' }], server)).toMatch(/≤ 4.4.99/);
    expect(unmetRequirements([{ topologies: ['single', 'sharded'] }], server)).toMatch(/topology/);
    expect(unmetRequirements([{ serverless: 'require' }], server)).toMatch(/serverless/);
    expect(unmetRequirements([{ serverless: 'forbid' }], server)).toBeNull();
  });
});

describe('known differences list', () => {
  it('reads only the marked lines inside the "Known differences from MongoDB" section', () => {
    const doc = path.join(mkdtempSync(path.join(tmpdir(), 'gx-known-')), 'embedded-mongo.md');
    writeFileSync(
      doc,
      [
        '# Embedded server',
        '- `outside.json` › `not in the section`: ignored',
        '## Known differences from MongoDB',
        'Prose that is not a list entry.',
        '### Conformance cases',
        '- `find.json` › `Find with filter`: reason one',
        '## Next section',
        '- `after.json` › `not in the section either`: ignored',
      ].join('\n'),
    );
    expect([...listedConformanceCases(doc)]).toEqual([['find.json › Find with filter', 'reason one']]);
  });
});
