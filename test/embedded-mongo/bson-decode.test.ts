import { isDeepStrictEqual } from 'node:util';
import { BSON, Binary, BSONRegExp, Code, DBRef, Decimal128, Double, Int32, Long, MaxKey, MinKey, ObjectId, Timestamp, UUID } from 'bson';
import { describe, expect, it } from 'vitest';
import { decodeBson, decodeCommon } from '../../src/embedded-mongo/storage/decode.js';

/** The server's decoder must return exactly what BSON.deserialize does with the server's options. */
const OPTIONS = { promoteValues: true, promoteLongs: true, promoteBuffers: false };

function reference(bytes: Uint8Array): unknown {
  return BSON.deserialize(bytes, OPTIONS);
}

/** Same values, same classes, same key order, all the way down. */
function sameDecoding(a: unknown, b: unknown): boolean {
  if (!isDeepStrictEqual(a, b)) return false;
  if (a === null || typeof a !== 'object') return Object.is(a, b);
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof ObjectId) return (b as ObjectId).toHexString() === a.toHexString();
  const keys = Object.keys(a);
  if (!isDeepStrictEqual(keys, Object.keys(b as object))) return false;
  return keys.every((key) => sameDecoding((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

function expectSame(doc: Record<string, unknown>): void {
  const bytes = BSON.serialize(doc);
  expect(sameDecoding(decodeBson(bytes), reference(bytes)), JSON.stringify(Object.keys(doc))).toBe(true);
  // A view inside a larger buffer (as the wire hands documents over) decodes the same.
  const framed = Buffer.concat([Buffer.from([1, 2, 3]), Buffer.from(bytes), Buffer.from([4])]).subarray(3, 3 + bytes.length);
  expect(sameDecoding(decodeBson(framed), reference(bytes))).toBe(true);
}

describe('decodeBson (the embedded server’s BSON decoder)', () => {
  it('returns what BSON.deserialize returns for the common types', () => {
    expectSame({
      _id: new ObjectId(),
      title: '上城区家庭医生签约服务（2025年修订）',
      ascii: 'py:yibao',
      empty: '',
      nul: 'a\u0000b',
      emoji: '𠮷野家 😀 é ß',
      long: '浙江省人力资源和社会保障厅关于做好高校毕业生就业工作的通知'.repeat(5),
      latinLong: 'x'.repeat(300),
      int: 42,
      negative: -2147483648,
      double: 1.5,
      negativeZero: -0,
      nan: Number.NaN,
      infinity: Number.NEGATIVE_INFINITY,
      big: 2 ** 40,
      safeLong: Long.fromNumber(2 ** 53 - 1),
      negativeLong: Long.fromNumber(-(2 ** 53 - 1)),
      smallLong: Long.fromNumber(-5),
      yes: true,
      no: false,
      nothing: null,
      date: new Date('2025-06-01T08:00:00.123Z'),
      before1970: new Date(-86_400_000 * 365 * 30),
      nested: { a: { b: [1, '二', { c: new Date(0) }] }, 'x.y': 1 },
      list: [[], {}, ['a', ['b']]],
      '10': 'integer-like key',
      $db: 'hub',
      searchTerms: Array.from({ length: 60 }, (_, i) => `${String.fromCodePoint(0x4e00 + i)}${String.fromCodePoint(0x4e10 + i)}`),
    });
  });

  it('returns what BSON.deserialize returns for the rare types, which it leaves to bson', () => {
    const rare: Record<string, unknown> = {
      binary: new Binary(Buffer.from([1, 2, 3])),
      uuid: new UUID(),
      oldBinary: new Binary(Buffer.from([9, 9]), 2),
      notQuiteUuid: new Binary(Buffer.from([1, 2]), 4),
      regex: /a+b/i,
      bsonRegex: new BSONRegExp('x', 'm'),
      decimal: Decimal128.fromString('1.10'),
      timestamp: new Timestamp({ t: 1, i: 2 }),
      unsafeLong: Long.fromString('9007199254740993'),
      negativeUnsafe: Long.fromString('-9007199254740993'),
      min: new MinKey(),
      max: new MaxKey(),
      code: new Code('x'),
      int32: new Int32(7),
      double: new Double(2),
      ref: new DBRef('orgUnits', new ObjectId()),
      refLike: { $ref: 'a', $id: 1, extra: true },
      dollars: { $id: 1, $db: 'x' },
    };
    for (const [key, value] of Object.entries(rare)) expectSame({ before: '前', [key]: value, after: [1] });
    const proto = BSON.serialize(JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}') as Record<string, unknown>);
    expect(sameDecoding(decodeBson(proto), reference(proto))).toBe(true);
    const nonAsciiKey = BSON.serialize({ 标题: '键名' });
    expect(sameDecoding(decodeBson(nonAsciiKey), reference(nonAsciiKey))).toBe(true);
  });

  it('throws what BSON.deserialize throws for invalid UTF-8 and malformed documents', () => {
    const valid = BSON.serialize({ s: 'ab' });
    const overlong = Buffer.from(valid);
    overlong.set([0xc0, 0x80], overlong.indexOf('ab'));
    const surrogate = Buffer.from(BSON.serialize({ s: 'abc' }));
    surrogate.set([0xed, 0xa0, 0x80], surrogate.indexOf('abc'));
    const truncated = Buffer.from(valid).subarray(0, valid.length - 2);
    const badSize = Buffer.from(valid);
    badSize.writeInt32LE(valid.length + 10, 0);
    const badBool = Buffer.from(BSON.serialize({ b: true }));
    badBool[badBool.length - 2] = 2;
    for (const bytes of [overlong, surrogate, truncated, badSize, badBool, Buffer.from([5, 0, 0])]) {
      let expected: unknown;
      try {
        reference(bytes);
      } catch (error) {
        expected = error;
      }
      expect(expected).toBeInstanceOf(Error);
      expect(() => decodeBson(bytes)).toThrow((expected as Error).message);
    }
  });

  it('reads a driver’s insert command itself (session id and all), so no document is decoded twice', () => {
    const resource = { _id: new ObjectId(), title: '预防接种门诊', searchTerms: ['预防', '接种', 'py:yufang'], provenance: [{ feedId: new ObjectId(), fetchedAt: new Date() }], version: 1 };
    const body = BSON.serialize({ insert: 'resources', documents: [resource, resource], ordered: false, lsid: { id: new UUID() }, txnNumber: Long.fromNumber(3), $db: 'hub' });
    const decoded = decodeCommon(body);
    expect(decoded).toBeDefined();
    expect(sameDecoding(decoded, reference(body))).toBe(true);
    expect(decodeCommon(BSON.serialize({ find: 'x', filter: { a: /b/ } }))).toBeUndefined();
  });

  it('copies ObjectIds out of the request bytes', () => {
    const id = new ObjectId();
    const bytes = Buffer.from(BSON.serialize({ _id: id, orgUnits: [id] }));
    const doc = decodeBson(bytes) as { _id: ObjectId; orgUnits: ObjectId[] };
    bytes.fill(0);
    expect(doc._id.toHexString()).toBe(id.toHexString());
    expect(doc.orgUnits[0]!.equals(id)).toBe(true);
  });
});
