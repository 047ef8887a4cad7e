import { Types } from 'mongoose';
import { InvalidInputError } from '../domain/errors.js';

/** Opaque global id: base64url of "<GraphQL type>:<ObjectId hex>". */
export function toGlobalId(type: string, id: Types.ObjectId): string {
  return Buffer.from(`${type}:${id.toHexString()}`).toString('base64url');
}

export interface DecodedGlobalId {
  type: string;
  id: Types.ObjectId;
}

/** Decodes a global id or throws BAD_USER_INPUT naming the argument. */
export function fromGlobalId(globalId: string, argument = 'id'): DecodedGlobalId {
  const decoded = /^[A-Za-z0-9_-]{1,200}$/.test(globalId) ? Buffer.from(globalId, 'base64url').toString('utf8') : '';
  const match = /^([A-Z][A-Za-z]{0,63}):([0-9a-f]{24})$/.exec(decoded);
  if (!match?.[1] || !match[2]) {
    throw new InvalidInputError(`无效的 ID：${argument}`, `Invalid id: ${argument}`, argument);
  }
  return { type: match[1], id: new Types.ObjectId(match[2]) };
}
