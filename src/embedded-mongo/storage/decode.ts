import { Buffer } from 'node:buffer';
import { BSON, type Document } from 'bson';

/**
 * BSON → documents, value for value what `BSON.deserialize` returns with the server's options
 * (numbers promoted, buffers not), but cheaper for the documents the server mostly receives:
 * strings, numbers, booleans, nulls, dates, ObjectIds, binaries, documents and arrays. Short strings
 * (index terms: two Han characters are 6 bytes) are decoded in JS, where bson makes a native
 * call per string; that and fewer temporary objects make a resource document about twice as
 * cheap to decode. Anything else (regex, decimal, timestamp, undefined, code, min/max
 * keys, a `$ref` or `__proto__` key, a non-ASCII key name, invalid UTF-8, a malformed size)
 * sends the whole document to `BSON.deserialize`, which returns the same values or throws the
 * same error it always did.
 */

/**
 * Numbers come back as plain JS numbers (Int32, Double and safe Long promoted) because mingo
 * compares values with `===`/`<` and mishandles the wrapper classes.
 */
const OPTIONS: BSON.DeserializeOptions = { promoteValues: true, promoteLongs: true, promoteBuffers: false };

/** Thrown inside the fast path: the document goes to BSON.deserialize. */
const FALLBACK = Symbol('bson-fallback');

const TWO_32 = 4_294_967_296;
/** Strings up to this many bytes are decoded in JS; longer ones natively. */
const SHORT_STRING = 48;

const float = new Float64Array(1);
const floatBytes = new Uint8Array(float.buffer);

function int32(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
}

/** Code units of the string being decoded (synchronous use only). */
const UNITS: number[] = [];

/**
 * A short UTF-8 string, built in one step from its code units: concatenating characters
 * would leave chains of string pieces in the stored documents (more heap, more GC work).
 * Invalid sequences (overlong, surrogates, truncated) go to the fallback.
 */
function shortUtf8(b: Uint8Array, start: number, end: number): string {
  UNITS.length = 0;
  let i = start;
  while (i < end) {
    const c = b[i]!;
    if (c < 0x80) {
      UNITS.push(c);
      i += 1;
    } else if (c >= 0xe0 && c < 0xf0 && i + 2 < end) {
      const c1 = b[i + 1]!;
      const c2 = b[i + 2]!;
      if ((c1 & 0xc0) !== 0x80 || (c2 & 0xc0) !== 0x80) throw FALLBACK;
      const code = ((c & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f);
      if (code < 0x800 || (code >= 0xd800 && code <= 0xdfff)) throw FALLBACK;
      UNITS.push(code);
      i += 3;
    } else if (c >= 0xc2 && c < 0xe0 && i + 1 < end) {
      const c1 = b[i + 1]!;
      if ((c1 & 0xc0) !== 0x80) throw FALLBACK;
      UNITS.push(((c & 0x1f) << 6) | (c1 & 0x3f));
      i += 2;
    } else if (c >= 0xf0 && c < 0xf5 && i + 3 < end) {
      const c1 = b[i + 1]!;
      const c2 = b[i + 2]!;
      const c3 = b[i + 3]!;
      if ((c1 & 0xc0) !== 0x80 || (c2 & 0xc0) !== 0x80 || (c3 & 0xc0) !== 0x80) throw FALLBACK;
      const code = ((c & 0x07) << 18) | ((c1 & 0x3f) << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f);
      if (code < 0x10000 || code > 0x10ffff) throw FALLBACK;
      UNITS.push(0xd800 + ((code - 0x10000) >> 10), 0xdc00 + ((code - 0x10000) & 0x3ff));
      i += 4;
    } else throw FALLBACK;
  }
  return String.fromCharCode.apply(null, UNITS);
}

const fatalDecoder = new TextDecoder('utf-8', { fatal: true });

function utf8(b: Uint8Array, start: number, end: number): string {
  if (end - start <= SHORT_STRING) return shortUtf8(b, start, end);
  try {
    return fatalDecoder.decode(b.subarray(start, end));
  } catch {
    throw FALLBACK;
  }
}

/** Decodes the document or array starting at `start` into `into`; returns the index after it. */
function readInto(b: Uint8Array, start: number, into: Record<string, unknown> | unknown[]): number {
  const size = int32(b, start);
  const end = start + size;
  if (size < 5 || end > b.length || b[end - 1] !== 0) throw FALLBACK;
  const array = Array.isArray(into) ? into : undefined;
  const object = into as Record<string, unknown>;
  let i = start + 4;
  for (;;) {
    if (i >= end) throw FALLBACK;
    const type = b[i++]!;
    if (type === 0) break;
    let nameEnd = i;
    while (nameEnd < end && b[nameEnd] !== 0) nameEnd++;
    if (nameEnd >= end) throw FALLBACK;
    let name = '';
    if (!array) {
      for (let k = i; k < nameEnd; k++) {
        const c = b[k]!;
        if (c >= 0x80) throw FALLBACK;
        name += String.fromCharCode(c);
      }
      // bson turns {$ref, $id} into a DBRef and defines __proto__ as an own property.
      if (name === '$ref' || name === '__proto__') throw FALLBACK;
    }
    i = nameEnd + 1;
    let value: unknown;
    switch (type) {
      case 0x02: {
        const length = int32(b, i);
        if (length <= 0 || i + 4 + length > end || b[i + 3 + length] !== 0) throw FALLBACK;
        value = utf8(b, i + 4, i + 3 + length);
        i += 4 + length;
        break;
      }
      case 0x01:
        for (let k = 0; k < 8; k++) floatBytes[k] = b[i + k]!;
        value = float[0];
        i += 8;
        break;
      case 0x10:
        value = int32(b, i);
        i += 4;
        break;
      case 0x12: {
        // Promoted when safe, as bson does; a larger value stays a Long (fallback).
        const number = int32(b, i + 4) * TWO_32 + (int32(b, i) >>> 0);
        if (!Number.isSafeInteger(number)) throw FALLBACK;
        value = number;
        i += 8;
        break;
      }
      case 0x08: {
        const flag = b[i++];
        if (flag !== 0 && flag !== 1) throw FALLBACK;
        value = flag === 1;
        break;
      }
      case 0x0a:
        value = null;
        break;
      case 0x07: {
        // Copied into a pooled 12-byte buffer as bson does (no view into the request).
        const id = Buffer.allocUnsafe(12);
        for (let k = 0; k < 12; k++) id[k] = b[i + k]!;
        value = new BSON.ObjectId(id);
        i += 12;
        break;
      }
      case 0x09:
        value = new Date(int32(b, i + 4) * TWO_32 + (int32(b, i) >>> 0));
        i += 8;
        break;
      case 0x05: {
        // Every command's session id is a UUID: handled here, or each insert would be decoded twice.
        let size = int32(b, i);
        const total = size;
        const subType = b[i + 4]!;
        i += 5;
        if (size < 0 || size > b.byteLength) throw FALLBACK;
        if (subType === 2) {
          size = int32(b, i);
          i += 4;
          if (size !== total - 4) throw FALLBACK;
        }
        if (i + size > end) throw FALLBACK;
        const binary = new BSON.Binary(b.subarray(i, i + size), subType);
        value = subType === 4 && BSON.UUID.isValid(binary) ? binary.toUUID() : binary;
        i += size;
        break;
      }
      case 0x03: {
        const inner: Record<string, unknown> = {};
        i = readInto(b, i, inner);
        value = inner;
        break;
      }
      case 0x04: {
        const inner: unknown[] = [];
        i = readInto(b, i, inner);
        value = inner;
        break;
      }
      default:
        throw FALLBACK;
    }
    if (array) array.push(value);
    else object[name] = value;
  }
  if (i !== end) throw FALLBACK;
  return end;
}

/**
 * The documents this decoder reads itself (see above); undefined when the document needs
 * BSON.deserialize. A command the drivers send (an insert of resources with its session id)
 * must not need it, or it would be decoded twice.
 */
export function decodeCommon(bytes: Uint8Array): Document | undefined {
  const doc: Document = {};
  try {
    if (bytes.length < 5 || readInto(bytes, 0, doc) !== bytes.length) return undefined;
    return doc;
  } catch (error) {
    if (error !== FALLBACK) throw error;
    return undefined;
  }
}

export function decodeBson(bytes: Uint8Array): Document {
  return decodeCommon(bytes) ?? BSON.deserialize(bytes, OPTIONS);
}
