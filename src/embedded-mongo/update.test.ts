import { ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { applyUpdate, buildUpsertDocument, equalityFields } from './update.js';

const context = { resolve: () => [] };

describe('update adapters', () => {
  it('takes upsert seeds from equality fields only', () => {
    expect(equalityFields({ a: 1, 'b.c': 'x', d: { $gt: 1 }, e: { $eq: 2 }, $and: [{ f: true }], r: /x/ })).toEqual({
      a: 1,
      b: { c: 'x' },
      e: 2,
      f: true,
    });
  });

  it('applies $setOnInsert only when inserting and puts _id first', () => {
    const doc = buildUpsertDocument({ code: 'A' }, { $set: { n: 1 }, $setOnInsert: { created: true } }, context);
    expect(Object.keys(doc)[0]).toBe('_id');
    expect(doc._id).toBeInstanceOf(ObjectId);
    expect(doc).toMatchObject({ code: 'A', n: 1, created: true });
    const existing = { _id: 1, code: 'A' };
    expect(applyUpdate(existing, { $set: { n: 2 }, $setOnInsert: { created: true } }, context)).toEqual({ _id: 1, code: 'A', n: 2 });
  });

  it('never modifies the stored document and returns it unchanged for a no-op', () => {
    const stored = { _id: 1, a: { b: 1 } };
    const next = applyUpdate(stored, { $set: { 'a.b': 2 } }, context);
    expect(stored).toEqual({ _id: 1, a: { b: 1 } });
    expect(next).toEqual({ _id: 1, a: { b: 2 } });
    expect(applyUpdate(stored, { $set: { 'a.b': 1 } }, context)).toBe(stored);
  });

  it('keeps _id on replacement and rejects changing it', () => {
    expect(applyUpdate({ _id: 7, a: 1 }, { b: 2 }, context)).toEqual({ _id: 7, b: 2 });
    expect(() => applyUpdate({ _id: 7 }, { _id: 8, b: 2 }, context)).toThrow(/immutable field '_id'/);
    expect(() => applyUpdate({ _id: 7 }, { $set: { a: 1 }, b: 2 }, context)).toThrow(/Unknown modifier/);
  });

  it('names an unsupported update operator', () => {
    expect(() => applyUpdate({ _id: 1 }, { $frobnicate: { a: 1 } }, context)).toThrow(/\$frobnicate/);
  });
});
