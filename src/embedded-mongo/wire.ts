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
      command = decodeDocument(message.subarray(offset, offset + size));
      offset += size;
    } else if (kind === 1) {
      const sectionEnd = offset + size;
      const [identifier, docsStart] = readCString(message, offset + 4);
      const docs: Document[] = [];
      let docOffset = docsStart;
      while (docOffset < sectionEnd) {
        const docSize = message.readInt32LE(docOffset);
        docs.push(decodeDocument(message.subarray(docOffset, docOffset + docSize)));
        docOffset += docSize;
      }
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
