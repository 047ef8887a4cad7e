import { lookup as dnsLookup } from 'node:dns/promises';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import zlib from 'node:zlib';
import { z } from 'zod';
import type { SafeFetch, SafeFetchInit, SafeResponse } from '../../../connectors/contract.js';
import { createAddressPolicy, isValidAllowlistEntry, type AddressPolicy } from './address-policy.js';
import { IngestError, configError } from './errors.js';

export const safeFetchOptionsSchema = z.object({
  /** Host names, addresses or CIDRs that may be reached although they are not public. */
  allowlist: z
    .array(z.string().refine(isValidAllowlistEntry, { message: '无效的允许列表条目 / Invalid allowlist entry' }))
    .default([]),
  /** Time to response headers, and the longest silence while the body streams. */
  timeoutMs: z.number().int().positive().default(30_000),
  /** Largest (decoded) body accepted; reading past it aborts the request. */
  maxBytes: z.number().int().positive().default(64 * 1024 * 1024),
  maxRedirects: z.number().int().min(0).max(20).default(5),
  /** Extra attempts after the first, for transient failures only. */
  retries: z.number().int().min(0).max(10).default(3),
  backoffBaseMs: z.number().int().min(0).default(500),
  backoffMaxMs: z.number().int().min(0).default(30_000),
  userAgent: z.string().min(1).default('GongxiangHub/0.1 (+ingest)'),
});

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export type SafeFetchOptions = z.input<typeof safeFetchOptionsSchema> & {
  /** DNS resolution; defaults to the system resolver (all addresses). */
  resolve?: Resolver;
};
type Settings = z.output<typeof safeFetchOptionsSchema>;

interface Target {
  url: URL;
  address: ResolvedAddress;
}

interface Hop {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body: string | undefined;
}

const systemResolve: Resolver = async (hostname) => {
  const found = await dnsLookup(hostname, { all: true, verbatim: true });
  return found.map((entry) => ({ address: entry.address, family: entry.family === 6 ? 6 : 4 }));
};

const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];

export function createSafeFetch(options: SafeFetchOptions = {}): SafeFetch {
  const { resolve = systemResolve, ...rest } = options;
  const parsed = safeFetchOptionsSchema.safeParse(rest);
  if (!parsed.success) {
    throw configError('INVALID_CONFIG', `抓取设置无效：${parsed.error.message}`, `Invalid fetch options: ${parsed.error.message}`);
  }
  const settings = parsed.data;
  const policy = createAddressPolicy(settings.allowlist);
  const agents = {
    http: new http.Agent({ keepAlive: true, maxSockets: 8 }),
    https: new https.Agent({ keepAlive: true, maxSockets: 8 }),
  };

  return async (url: string, init: SafeFetchInit = {}): Promise<SafeResponse> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fetchFollowingRedirects(url, init, { settings, policy, resolve, agents });
      } catch (error) {
        const failure = toIngestError(error, init.signal);
        if (!failure.retryable || attempt >= settings.retries) throw failure;
        await waitBeforeRetry(attempt, settings, failure.retryAfterSeconds, init.signal);
      }
    }
  };
}

interface FetchDeps {
  settings: Settings;
  policy: AddressPolicy;
  resolve: Resolver;
  agents: { http: http.Agent; https: https.Agent };
}

async function fetchFollowingRedirects(url: string, init: SafeFetchInit, deps: FetchDeps): Promise<SafeResponse> {
  let current = parseFeedUrl(url);
  const hop: Hop = {
    method: init.method ?? 'GET',
    headers: lowerCaseKeys(init.headers ?? {}),
    body: init.body,
  };
  for (let redirects = 0; ; redirects++) {
    const target = await resolveChecked(current, deps);
    const response = await requestOnce(target, hop, deps, init.signal);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (REDIRECT_STATUSES.has(status) && location) {
      response.resume();
      if (redirects >= deps.settings.maxRedirects) {
        throw new IngestError('config', 'TOO_MANY_REDIRECTS', `重定向次数超过 ${deps.settings.maxRedirects} 次`, `More than ${deps.settings.maxRedirects} redirects`);
      }
      const next = parseFeedUrl(new URL(location, current).href);
      if (next.origin !== current.origin) for (const name of CREDENTIAL_HEADERS) delete hop.headers[name];
      if (status === 303 || ((status === 301 || status === 302) && hop.method === 'POST')) {
        hop.method = 'GET';
        hop.body = undefined;
      }
      current = next;
      continue;
    }
    if (status >= 400) {
      response.resume();
      throw statusError(status, current, response.headers['retry-after']);
    }
    return toSafeResponse(response, current, deps.settings);
  }
}

function parseFeedUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch (cause) {
    throw configError('URL_NOT_ALLOWED', `无效的地址：${raw}`, `Invalid URL: ${raw}`, cause);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw configError('URL_NOT_ALLOWED', `只允许 http 和 https 地址：${url.protocol}`, `Only http and https URLs are allowed: ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw configError('URL_NOT_ALLOWED', '地址中不得包含凭据，请使用认证设置', 'URLs must not embed credentials; use the auth settings');
  }
  return url;
}

/** Resolves the host, checks every address, and pins the connection to a checked one. */
async function resolveChecked(url: URL, deps: FetchDeps): Promise<Target> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: ResolvedAddress[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) === 6 ? 6 : 4 }];
  } else {
    try {
      addresses = await deps.resolve(host);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      throw new IngestError('source_unreachable', 'DNS_FAILED', `无法解析主机名：${host}`, `Could not resolve host: ${host}`, {
        cause,
        retryable: code === 'EAI_AGAIN',
      });
    }
  }
  const refused = addresses.find((entry) => !deps.policy.allows(host, entry.address));
  if (refused || addresses.length === 0) {
    const shown = refused?.address ?? '(none)';
    throw new IngestError(
      'config',
      'ADDRESS_BLOCKED',
      `拒绝访问内网、回环、链路本地或元数据地址：${host} → ${shown}（如确需访问，请加入允许列表）`,
      `Refusing to connect to a private, loopback, link-local or metadata address: ${host} → ${shown} (add it to the allowlist if intended)`,
    );
  }
  return { url, address: addresses[0] as ResolvedAddress };
}

function pinnedLookup(address: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: address.address, family: address.family }]);
    else callback(null, address.address, address.family);
  };
}

function requestOnce(target: Target, hop: Hop, deps: FetchDeps, signal: AbortSignal | undefined): Promise<IncomingMessage> {
  const { url, address } = target;
  const isHttps = url.protocol === 'https:';
  const headers: Record<string, string> = {
    'user-agent': deps.settings.userAgent,
    'accept-encoding': 'gzip, deflate, br',
    ...hop.headers,
  };
  if (hop.body !== undefined) headers['content-length'] = String(Buffer.byteLength(hop.body));
  return new Promise<IncomingMessage>((resolvePromise, reject) => {
    if (signal?.aborted) {
      reject(abortedError(signal));
      return;
    }
    const request = (isHttps ? https : http).request({
      protocol: url.protocol,
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || (isHttps ? 443 : 80),
      path: `${url.pathname}${url.search}`,
      method: hop.method,
      headers,
      lookup: pinnedLookup(address),
      agent: isHttps ? deps.agents.https : deps.agents.http,
    });
    const timeoutError = (): IngestError =>
      new IngestError('source_unreachable', 'TIMEOUT', `请求超时（${deps.settings.timeoutMs} 毫秒）：${url.href}`, `Request timed out after ${deps.settings.timeoutMs} ms: ${url.href}`, {
        retryable: true,
      });
    const headerDeadline = setTimeout(() => request.destroy(timeoutError()), deps.settings.timeoutMs);
    request.setTimeout(deps.settings.timeoutMs, () => request.destroy(timeoutError()));
    const onAbort = (): void => {
      request.destroy(abortedError(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('close', () => {
      clearTimeout(headerDeadline);
      signal?.removeEventListener('abort', onAbort);
    });
    request.on('error', (error) => {
      clearTimeout(headerDeadline);
      reject(error);
    });
    request.on('response', (response) => {
      clearTimeout(headerDeadline);
      resolvePromise(response);
    });
    request.end(hop.body);
  });
}

function toSafeResponse(response: IncomingMessage, url: URL, settings: Settings): SafeResponse {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > settings.maxBytes) {
    response.destroy();
    throw tooLargeError(url, settings.maxBytes);
  }
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) headers.append(name, item);
  }
  let consumed = false;
  const stream = (): AsyncIterable<Uint8Array> => {
    if (consumed) throw new IngestError('internal', 'NETWORK', '响应体只能读取一次', 'The response body can be read only once');
    consumed = true;
    return cappedBody(response, url, settings.maxBytes);
  };
  return {
    status: response.statusCode ?? 0,
    url: url.href,
    headers,
    stream,
    async bytes() {
      const chunks: Uint8Array[] = [];
      for await (const chunk of stream()) chunks.push(chunk);
      return Buffer.concat(chunks);
    },
  };
}

function decoded(response: IncomingMessage): NodeJS.ReadableStream {
  const encoding = (response.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding === 'gzip' || encoding === 'x-gzip') return response.pipe(zlib.createGunzip());
  if (encoding === 'deflate') return response.pipe(zlib.createInflate());
  if (encoding === 'br') return response.pipe(zlib.createBrotliDecompress());
  return response;
}

async function* cappedBody(response: IncomingMessage, url: URL, maxBytes: number): AsyncIterable<Uint8Array> {
  const body = decoded(response);
  if (body !== response) response.on('error', (error) => (body as zlib.Gunzip).destroy(error));
  let total = 0;
  try {
    for await (const chunk of body) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
      total += bytes.byteLength;
      if (total > maxBytes) throw tooLargeError(url, maxBytes);
      yield bytes;
    }
  } catch (error) {
    throw toIngestError(error, undefined);
  } finally {
    response.destroy();
  }
}

function tooLargeError(url: URL, maxBytes: number): IngestError {
  return new IngestError('source_data', 'TOO_LARGE', `响应超过大小上限 ${maxBytes} 字节：${url.href}`, `Response exceeds the size cap of ${maxBytes} bytes: ${url.href}`);
}

function abortedError(signal: AbortSignal | undefined): IngestError {
  return new IngestError('source_unreachable', 'ABORTED', '请求已取消（运行超时或停止）', 'Request aborted (run timeout or shutdown)', {
    cause: signal?.reason,
  });
}

function statusError(status: number, url: URL, retryAfter: string | undefined): IngestError {
  if (status === 429 || status >= 500) {
    return new IngestError('source_unreachable', 'HTTP_STATUS', `数据源返回 HTTP ${status}：${url.href}`, `Source answered HTTP ${status}: ${url.href}`, {
      status,
      retryable: true,
      retryAfterSeconds: parseRetryAfter(retryAfter),
    });
  }
  const [zh, en] =
    status === 401 || status === 403
      ? ['认证失败或无权访问', 'Authentication failed or access denied']
      : status === 404 || status === 410
        ? ['资源不存在，请检查地址', 'Resource not found; check the URL']
        : ['请求被数据源拒绝', 'Request rejected by the source'];
  return new IngestError('config', 'HTTP_STATUS', `${zh}（HTTP ${status}）：${url.href}`, `${en} (HTTP ${status}): ${url.href}`, { status });
}

function parseRetryAfter(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - Date.now()) / 1000);
}

function toIngestError(error: unknown, signal: AbortSignal | undefined): IngestError {
  if (error instanceof IngestError) return error;
  if (signal?.aborted) return abortedError(signal);
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const detail = error instanceof Error ? error.message : String(error);
  if (code.startsWith('Z_') || code.startsWith('ERR__') || code === 'ERR_INVALID_HTTP_RESPONSE') {
    return new IngestError('source_data', 'PARSE_FAILED', `响应无法解码：${detail}`, `Response could not be decoded: ${detail}`, { cause: error });
  }
  return new IngestError('source_unreachable', 'NETWORK', `网络错误：${detail}`, `Network error: ${detail}`, {
    cause: error,
    retryable: TRANSIENT_NETWORK_CODES.has(code) || detail === 'socket hang up',
  });
}

/** Exponential backoff with full jitter, capped; a source's Retry-After wins when longer. */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, retryAfterSeconds?: number): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  const jittered = ceiling / 2 + Math.random() * (ceiling / 2);
  const asked = retryAfterSeconds === undefined ? 0 : Math.min(maxMs, retryAfterSeconds * 1000);
  return Math.max(jittered, asked);
}

async function waitBeforeRetry(attempt: number, settings: Settings, retryAfterSeconds: number | undefined, signal: AbortSignal | undefined): Promise<void> {
  try {
    await delay(backoffDelayMs(attempt, settings.backoffBaseMs, settings.backoffMaxMs, retryAfterSeconds), undefined, { signal });
  } catch {
    throw abortedError(signal);
  }
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
