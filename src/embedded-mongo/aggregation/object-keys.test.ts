import { ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { ObjectIdMap } from './object-keys.js';

describe('ObjectIdMap', () => {
  it('finds every id by value (other instances, ids one byte apart at every position), and nothing else', () => {
    const base = new ObjectId('65a1b2c3d4e5f60718293a4b');
    const ids = [base, ...Array.from({ length: 12 * 255 }, (_, i) => {
      const bytes = Buffer.from(base.id);
      bytes[i % 12] = (bytes[i % 12]! + 1 + Math.floor(i / 12)) % 256;
      return new ObjectId(bytes);
    }), ...Array.from({ length: 3000 }, () => new ObjectId())];
    const map = new ObjectIdMap<number>();
    ids.forEach((id, i) => map.set(id, i));
    // Re-setting an id replaces its value.
    map.set(new ObjectId(base.toHexString()), -1);
    ids.forEach((id, i) => expect(map.get(new ObjectId(id.toHexString()))).toBe(i === 0 ? -1 : i));
    for (let i = 0; i < 200; i++) expect(map.get(new ObjectId())).toBeUndefined();
  });
});
