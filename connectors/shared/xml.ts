import { XMLParser } from 'fast-xml-parser';
import { IngestError, sourceDataError } from '../../src/ingest/fetch/index.js';
import { decodeText, type EncodingHints } from './charset.js';

/**
 * Safe XML for feeds. Entity declarations that reference other entities (billion laughs),
 * external (SYSTEM/PUBLIC) and parameter entities are refused before parsing; the parser's own
 * expansion limits stay on as a second guard. Values stay strings (ids keep leading zeros).
 */
export type XmlNode = Record<string, unknown>;

const DOCTYPE_SUBSET = /<!DOCTYPE[^[>]*\[([\s\S]*?)\]\s*>/i;
const ENTITY_DECL = /<!ENTITY\s+(%\s+)?([^\s]+)\s+(SYSTEM|PUBLIC|"[^"]*"|'[^']*')/gi;

export function assertSafeXml(text: string): void {
  const subset = DOCTYPE_SUBSET.exec(text.slice(0, 1_000_000))?.[1];
  if (!subset) return;
  for (const match of subset.matchAll(ENTITY_DECL)) {
    const [, parameter, name, value = ''] = match;
    const refusal =
      parameter !== undefined
        ? ['参数实体', 'a parameter entity']
        : /^(SYSTEM|PUBLIC)$/i.test(value)
          ? ['外部实体', 'an external entity']
          : /[&%]/.test(value)
            ? ['嵌套引用的实体（可能是“十亿笑声”攻击）', 'an entity that references other entities (possible billion-laughs attack)']
            : undefined;
    if (refusal) {
      throw new IngestError('source_data', 'UNSAFE_CONTENT', `拒绝解析：XML 声明了${refusal[0]} ${name}`, `Refusing to parse: the XML declares ${refusal[1]} ${name}`);
    }
  }
}

/** The encoding named in the XML declaration (read as ASCII, which every candidate encoding extends). */
export function declaredXmlEncoding(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 512)).toString('latin1');
  return /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(head)?.[1];
}

export function decodeXml(bytes: Uint8Array, hints: Omit<EncodingHints, 'declared'>): string {
  return decodeText(bytes, { ...hints, declared: declaredXmlEncoding(bytes) });
}

export interface ParseXmlOptions {
  /** Element paths (dot-joined, as in the parsed tree) that are always arrays. */
  arrayPaths?: ReadonlySet<string>;
  /** Element names that are always arrays wherever they occur. */
  arrayNames?: ReadonlySet<string>;
}

export function parseXml(text: string, options: ParseXmlOptions = {}): XmlNode {
  assertSafeXml(text);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    textNodeName: '#text',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    processEntities: { enabled: true, maxEntityCount: 100, maxEntitySize: 10_000, maxTotalExpansions: 10_000, maxExpandedLength: 1_000_000 },
    htmlEntities: false,
    isArray: (name, jpath) => Boolean(options.arrayNames?.has(name) || options.arrayPaths?.has(String(jpath))),
  });
  try {
    const parsed = parser.parse(text, true) as unknown;
    if (parsed === null || typeof parsed !== 'object') throw new Error('empty document');
    return parsed as XmlNode;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    if (/entit/i.test(detail)) {
      throw new IngestError('source_data', 'UNSAFE_CONTENT', `拒绝解析：XML 实体超出限制（${detail}）`, `Refusing to parse: XML entities exceed limits (${detail})`, { cause: error });
    }
    throw sourceDataError(`XML 格式错误：${detail}`, `Malformed XML: ${detail}`, error);
  }
}

/** Text of a parsed element: a string, or the #text of an element with attributes. */
export function textOf(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return textOf(value[0]);
  if (typeof value === 'object') {
    const text = (value as XmlNode)['#text'];
    return typeof text === 'string' ? text : text === undefined ? undefined : String(text);
  }
  return String(value);
}

export function asArray<T>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * Renames elements and attributes by namespace URI: a document may use any prefix, the feed's
 * config names each namespace with its own alias (`{ "dc": "http://purl.org/dc/elements/1.1/" }`).
 * Names in namespaces without an alias keep their local name.
 */
export function resolveNamespaces(document: XmlNode, aliases: Readonly<Record<string, string>>): XmlNode {
  const aliasOf = new Map(Object.entries(aliases).map(([alias, uri]) => [uri, alias]));
  return resolveElement(document, aliasOf, {});
}

/** The namespace scope inside an element: its parent's, plus its own xmlns declarations. */
function scopeOf(node: unknown, parent: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return parent;
  let scope: Record<string, string> | undefined;
  for (const [key, value] of Object.entries(node as XmlNode)) {
    if (key !== '@_xmlns' && !key.startsWith('@_xmlns:')) continue;
    scope ??= { ...parent };
    scope[key === '@_xmlns' ? '' : key.slice('@_xmlns:'.length)] = String(value);
  }
  return scope ?? parent;
}

/** A name as the feed's config addresses it: `alias:local` when its namespace has an alias, else the local name. */
export function qualifiedName(name: string, isAttribute: boolean, scope: Readonly<Record<string, string>>, aliasOf: ReadonlyMap<string, string>): string {
  const colon = name.indexOf(':');
  // Unprefixed attributes are in no namespace; xml: and xmlns: are reserved.
  const prefix = colon === -1 ? (isAttribute ? undefined : '') : name.slice(0, colon);
  if (prefix === undefined || prefix === 'xml' || prefix === 'xmlns') return name;
  const local = colon === -1 ? name : name.slice(colon + 1);
  const uri = scope[prefix];
  const alias = uri === undefined ? undefined : aliasOf.get(uri);
  return alias ? `${alias}:${local}` : local;
}

function resolveElement(element: XmlNode, aliasOf: ReadonlyMap<string, string>, scope: Readonly<Record<string, string>>): XmlNode {
  const result: XmlNode = {};
  for (const [key, value] of Object.entries(element)) {
    if (key === '#text' || key === '@_xmlns' || key.startsWith('@_xmlns:')) {
      result[key] = value;
    } else if (key.startsWith('@_')) {
      result[`@_${qualifiedName(key.slice(2), true, scope, aliasOf)}`] = value;
    } else {
      const items = Array.isArray(value) ? value : [value];
      const name = qualifiedName(key, false, scopeOf(items[0], scope), aliasOf);
      const resolved = items.map((item) =>
        item !== null && typeof item === 'object' ? resolveElement(item as XmlNode, aliasOf, scopeOf(item, scope)) : item,
      );
      result[name] = Array.isArray(value) ? resolved : resolved[0];
    }
  }
  return result;
}
