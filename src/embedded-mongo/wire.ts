import { BSON, type Document } from 'bson';

/** Wire protocol opcodes the server understands or emits. */
export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_MSG = 2013;

const HEADER_SIZE = 16;
const FLAG_CHECKSUM_PRESENT = 1;
const FLAG_MORE_TO_COME = 2;

/** The largest message we accept; MongoDB advertises the same limit. */
export const MAX_MESSAGE_SIZE = 48_000_000;
export const MAX_BSON_SIZE = 16 * 1024 * 1024;

/**
 * Numbers come back as plain JS numbers (Int32, Double and safe Long promoted) because mingo
 * compares values with `===`/`<` and mishandles the wrapper classes.
 */
const DESERIALIZE_OPTIONS: BSON.DeserializeOptions = {
  promoteValues: true,
  promoteLongs: true,
  promoteBuffers: false,
};

export function decodeDocument(bytes: Uint8Array): Document {
  return BSON.deserialize(bytes, DESERIALIZE_OPTIONS);
}

/** The documents of an insert as sent, by the decoded array (see `sentBytes`). */
const SENT_BYTES = new WeakMap<readonly Document[], readonly Uint8Array[]>();

/**
 * The BSON a client sent for each document of an insert's `documents` (in the command body or
 * an OP_MSG document sequence), position by position; undefined for any other array. The
 * bytes are views into the request and live as long as the array.
 */
export function sentBytes(documents: readonly Document[]): readonly Uint8Array[] | undefined {
  return SENT_BYTES.get(documents);
}

/** The field an insert command carries its documents in. */
const DOCUMENTS_FIELD = 'documents';

/**
 * Finds the bytes of each element of the body's `documents` array by walking the BSON the
 * body was decoded from (element sizes only, no decoding). Undefined when the field is not
 * an array of documents.
 */
function documentsBytes(body: Uint8Array): Uint8Array[] | undefined {
  const view = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const end = view.readInt32LE(0) - 1;
  let offset = 4;
  while (offset < end) {
    const type = view[offset] as number;
    const nameEnd = view.indexOf(0, offset + 1);
    if (nameEnd < 0) return undefined;
    const valueStart = nameEnd + 1;
    const size = bsonValueSize(view, type, valueStart);
    if (size === undefined) return undefined;
    if (type === 0x04 && view.toString('latin1', offset + 1, nameEnd) === DOCUMENTS_FIELD) return arrayDocuments(view, valueStart);
    offset = valueStart + size;
  }
  return undefined;
}

function arrayDocuments(view: Buffer, start: number): Uint8Array[] | undefined {
  const end = start + view.readInt32LE(start) - 1;
  const documents: Uint8Array[] = [];
  let offset = start + 4;
  while (offset < end) {
    if (view[offset] !== 0x03) return undefined;
    const valueStart = view.indexOf(0, offset + 1) + 1;
    const size = view.readInt32LE(valueStart);
    documents.push(view.subarray(valueStart, valueStart + size));
    offset = valueStart + size;
  }
  return documents;
}

/** The byte size of a BSON value of `type` at `at`; undefined for an unknown type. */
function bsonValueSize(view: Buffer, type: number, at: number): number | undefined {
  switch (type) {
    case 0x01: // double
    case 0x09: // UTC datetime
    case 0x11: // timestamp
    case 0x12: // int64
      return 8;
    case 0x02: // string
    case 0x0d: // JavaScript code
    case 0x0e: // symbol
      return 4 + view.readInt32LE(at);
    case 0x03: // document
    case 0x04: // array
    case 0x0f: // code with scope
      return view.readInt32LE(at);
    case 0x05: // binary: length, subtype, bytes
      return 5 + view.readInt32LE(at);
    case 0x06: // undefined
    case 0x0a: // null
    case 0x7f: // max key
    case 0xff: // min key
      return 0;
    case 0x07: // ObjectId
      return 12;
    case 0x08: // boolean
      return 1;
    case 0x0b: {
      // regex: pattern and options, two cstrings
      const patternEnd = view.indexOf(0, at);
      return view.indexOf(0, patternEnd + 1) + 1 - at;
    }
    case 0x0c: // DBPointer: string, ObjectId
      return 4 + view.readInt32LE(at) + 12;
    case 0x10: // int32
      return 4;
    case 0x13: // decimal128
      return 16;
    default:
      return undefined;
  }
}

/** A decoded request: either a legacy OP_QUERY (handshake only) or an OP_MSG command. */
export interface WireRequest {
  requestId: number;
  opCode: typeof OP_QUERY | typeof OP_MSG;
  command: Document;
  /** For OP_QUERY, the namespace the query targets, e.g. `admin.$cmd`. */
  namespace?: string;
  /** OP_MSG moreToCome: the client expects no reply (w:0). */
  moreToCome: boolean;
}

export class WireProtocolError extends Error {}

/** Reads one int32 little-endian length; returns the message length or undefined if not enough bytes. */
export function messageLength(buffer: Buffer): number | undefined {
  if (buffer.length < 4) return undefined;
  return buffer.readInt32LE(0);
}

export function decodeMessage(message: Buffer): WireRequest {
  const requestId = message.readInt32LE(4);
  const opCode = message.readInt32LE(12);
  if (opCode === OP_MSG) return decodeOpMsg(message, requestId);
  if (opCode === OP_QUERY) return decodeOpQuery(message, requestId);
  throw new WireProtocolError(`不支持的操作码 / Unsupported opcode ${opCode}`);
}

function readCString(buffer: Buffer, offset: number): [string, number] {
  const end = buffer.indexOf(0, offset);
  if (end < 0) throw new WireProtocolError('未终止的字符串 / Unterminated cstring');
  return [buffer.toString('utf8', offset, end), end + 1];
}

function decodeOpMsg(message: Buffer, requestId: number): WireRequest {
  const flags = message.readUInt32LE(HEADER_SIZE);
  const end = flags & FLAG_CHECKSUM_PRESENT ? message.length - 4 : message.length;
  let offset = HEADER_SIZE + 4;
  let command: Document | undefined;
  const sequences: Array<[string, Document[]]> = [];
  while (offset < end) {
    const kind = message[offset];
    offset += 1;
    const size = message.readInt32LE(offset);
    if (kind === 0) {
      const body = message.subarray(offset, offset + size);
      command = decodeDocument(body);
      // Only inserts journal their documents as sent; other commands' arrays need no walk.
      if (Array.isArray(command[DOCUMENTS_FIELD]) && 'insert' in command) {
        const bytes = documentsBytes(body);
        if (bytes?.length === command[DOCUMENTS_FIELD].length) SENT_BYTES.set(command[DOCUMENTS_FIELD] as Document[], bytes);
      }
      offset += size;
    } else if (kind === 1) {
      const sectionEnd = offset + size;
      const [identifier, docsStart] = readCString(message, offset + 4);
      const docs: Document[] = [];
      const bytes: Uint8Array[] = [];
      let docOffset = docsStart;
      while (docOffset < sectionEnd) {
        const docSize = message.readInt32LE(docOffset);
        const docBytes = message.subarray(docOffset, docOffset + docSize);
        docs.push(decodeDocument(docBytes));
        bytes.push(docBytes);
        docOffset += docSize;
      }
      SENT_BYTES.set(docs, bytes);
      sequences.push([identifier, docs]);
      offset = sectionEnd;
    } else {
      throw new WireProtocolError(`未知的 OP_MSG 段类型 / Unknown OP_MSG section kind ${String(kind)}`);
    }
  }
  if (!command) throw new WireProtocolError('OP_MSG 缺少命令体 / OP_MSG without a body section');
  for (const [identifier, docs] of sequences) command[identifier] = docs;
  return { requestId, opCode: OP_MSG, command, moreToCome: (flags & FLAG_MORE_TO_COME) !== 0 };
}

function decodeOpQuery(message: Buffer, requestId: number): WireRequest {
  const [namespace, afterName] = readCString(message, HEADER_SIZE + 4);
  const queryStart = afterName + 8; // numberToSkip, numberToReturn
  const size = message.readInt32LE(queryStart);
  let command = decodeDocument(message.subarray(queryStart, queryStart + size));
  // Legacy drivers wrap the command as { $query: {...}, $readPreference: ... }.
  if (command.$query && typeof command.$query === 'object') command = command.$query as Document;
  return { requestId, opCode: OP_QUERY, command, namespace, moreToCome: false };
}

function header(length: number, responseTo: number, opCode: number): Buffer {
  const buffer = Buffer.allocUnsafe(HEADER_SIZE);
  buffer.writeInt32LE(length, 0);
  buffer.writeInt32LE(0, 4);
  buffer.writeInt32LE(responseTo, 8);
  buffer.writeInt32LE(opCode, 12);
  return buffer;
}

export function encodeOpMsg(responseTo: number, body: Document): Buffer {
  const bytes = BSON.serialize(body);
  const prefix = header(HEADER_SIZE + 5 + bytes.length, responseTo, OP_MSG);
  const flagsAndKind = Buffer.alloc(5); // flags 0, section kind 0
  return Buffer.concat([prefix, flagsAndKind, bytes]);
}

export function encodeOpReply(responseTo: number, body: Document): Buffer {
  const bytes = BSON.serialize(body);
  const prefix = header(HEADER_SIZE + 20 + bytes.length, responseTo, OP_REPLY);
  const fields = Buffer.alloc(20); // responseFlags 0, cursorId 0 (int64), startingFrom 0
  fields.writeInt32LE(1, 16); // numberReturned
  return Buffer.concat([prefix, fields, bytes]);
}
