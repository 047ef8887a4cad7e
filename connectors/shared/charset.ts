import iconv from 'iconv-lite';
import { z } from 'zod';
import { configError } from '../../src/ingest/fetch/index.js';

/**
 * Text encodings as departments actually serve them: UTF-8 with or without BOM, GB18030/GBK
 * (often mislabelled gb2312), UTF-16 with a BOM, and feeds with no declaration at all.
 */
export const encodingSchema = z
  .string()
  .min(1)
  .default('auto')
  .refine((name) => name === 'auto' || iconv.encodingExists(normalizeEncoding(name)), {
    message: '不支持的字符编码 / Unsupported character encoding',
  });

/** GB2312 and GBK labels are decoded as their superset GB18030 (real files carry GBK-only characters). */
export function normalizeEncoding(name: string): string {
  const lower = name.trim().toLowerCase().replace(/_/g, '-');
  if (['gb2312', 'gbk', 'x-gbk', 'gb-2312-80', 'cp936', 'euc-cn', 'csgb2312', 'gb18030'].includes(lower)) return 'gb18030';
  if (lower === 'utf8') return 'utf-8';
  return lower;
}

export function charsetFromContentType(contentType: string | null | undefined): string | undefined {
  const match = /charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match?.[1];
}

function bomEncoding(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

function isValidUtf8Prefix(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

export interface EncodingHints {
  /** The feed's configured encoding, or 'auto'. */
  configured: string;
  /** The HTTP Content-Type header. */
  contentType?: string | null;
  /** The encoding a document declares about itself (e.g. the XML declaration). */
  declared?: string | undefined;
  /** Used when the bytes are not valid UTF-8 and nothing else says what they are. */
  fallback?: string;
}

/** Order: configured > BOM > HTTP header > declaration > valid UTF-8 > fallback (GB18030). */
export function chooseEncoding(prefix: Uint8Array, hints: EncodingHints): string {
  const candidates = [
    hints.configured === 'auto' ? undefined : hints.configured,
    bomEncoding(prefix),
    charsetFromContentType(hints.contentType),
    hints.declared,
  ];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const name = normalizeEncoding(candidate);
    if (!iconv.encodingExists(name)) {
      throw configError('INVALID_CONFIG', `不支持的字符编码：${candidate}`, `Unsupported character encoding: ${candidate}`);
    }
    return name;
  }
  return isValidUtf8Prefix(prefix) ? 'utf-8' : normalizeEncoding(hints.fallback ?? 'gb18030');
}

const SNIFF_BYTES = 64 * 1024;

/**
 * Decodes a byte stream to text chunks, sniffing the encoding from the first 64 KiB. BOMs are
 * dropped. `declaredIn` reads a document's own declaration from those bytes (the XML declaration).
 */
export async function* decodeTextStream(
  body: AsyncIterable<Uint8Array>,
  hints: EncodingHints,
  declaredIn?: (head: Uint8Array) => string | undefined,
): AsyncIterable<string> {
  const iterator = body[Symbol.asyncIterator]();
  try {
    const prefix: Uint8Array[] = [];
    let prefixLength = 0;
    let finished = false;
    while (prefixLength < SNIFF_BYTES) {
      const next = await iterator.next();
      if (next.done) {
        finished = true;
        break;
      }
      prefix.push(next.value);
      prefixLength += next.value.byteLength;
    }
    const head = Buffer.concat(prefix);
    const decoder = iconv.getDecoder(chooseEncoding(head, { ...hints, declared: hints.declared ?? declaredIn?.(head) }), { stripBOM: true });
    const first = decoder.write(head);
    if (first) yield first;
    while (!finished) {
      const next = await iterator.next();
      if (next.done) break;
      const text = decoder.write(Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength));
      if (text) yield text;
    }
    const rest = decoder.end();
    if (rest) yield rest;
  } finally {
    // Stopping early (a check, an abort) must still release the connection.
    await iterator.return?.();
  }
}

/** Decodes a whole document. */
export function decodeText(bytes: Uint8Array, hints: EncodingHints): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return iconv.decode(buffer, chooseEncoding(buffer.subarray(0, SNIFF_BYTES), hints), { stripBOM: true });
}
