import type { ConnectorState, ReadContext, ReadEvent } from '../contract.js';
import { IngestError, sourceDataError } from '../../src/ingest/fetch/index.js';
import { getPath, parsePath } from '../../src/ingest/mapping/index.js';
import { withAuth } from '../shared/auth.js';
import { decodeText } from '../shared/charset.js';
import { parseState, toRawRecord } from '../shared/records.js';
import { restStateSchema, type RestConfig, type RestPagination, type RestPosition } from './config.js';

interface Page {
  body: unknown;
  url: string;
  linkHeader: string | null;
}

export async function* readRest(config: RestConfig, state: ConnectorState | undefined, ctx: ReadContext): AsyncIterable<ReadEvent> {
  const saved = parseState(restStateSchema, state).resume;
  let position: RestPosition = saved ?? { start: true };
  if (saved) assertResumable(config.pagination, saved);
  for (let pages = 1; ; pages++) {
    const page = await fetchPage(config, position, ctx);
    const records = recordsOf(page.body, config.recordsPath);
    for (const item of records) {
      const data = item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>) : { value: item };
      yield { type: 'record', record: toRawRecord(data, config) };
    }
    const next = nextPosition(config.pagination, position, page, records.length);
    if (!next) {
      yield { type: 'complete', state: {} };
      return;
    }
    if (pages >= config.maxPages) {
      throw sourceDataError(`超过最大页数 ${config.maxPages}，数据源可能在循环分页`, `More than ${config.maxPages} pages; the source may be paging in a loop`);
    }
    yield { type: 'checkpoint', state: { resume: next } };
    position = next;
  }
}

function assertResumable(pagination: RestPagination, saved: Exclude<RestPosition, { start: true }>): void {
  const fits =
    (pagination.type === 'page' && 'page' in saved) ||
    (pagination.type === 'offset' && 'offset' in saved) ||
    (pagination.type === 'cursor' && 'cursor' in saved) ||
    (pagination.type === 'nextLink' && 'url' in saved);
  if (!fits) {
    throw new IngestError('config', 'INVALID_STATE', `同步状态与分页方式（${pagination.type}）不符，请重置状态`, `Saved state does not fit the pagination type (${pagination.type}); reset the state`);
  }
}

/** The paging parameters for a position (values typed, so a JSON body gets numbers). */
function pagingParams(pagination: RestPagination, position: RestPosition): Record<string, string | number> {
  if (pagination.type === 'page') {
    const params: Record<string, string | number> = { [pagination.pageParam]: 'page' in position ? position.page : pagination.firstPage };
    if (pagination.sizeParam) params[pagination.sizeParam] = pagination.pageSize;
    return params;
  }
  if (pagination.type === 'offset') {
    return { [pagination.offsetParam]: 'offset' in position ? position.offset : 0, [pagination.limitParam]: pagination.limit };
  }
  if (pagination.type === 'cursor' && 'cursor' in position) return { [pagination.cursorParam]: position.cursor };
  return {};
}

/** GET puts paging parameters in the query; POST puts them in the JSON body beside `config.body`. */
function pageRequest(config: RestConfig, position: RestPosition): { url: string; body: string | undefined } {
  const params = 'url' in position ? {} : pagingParams(config.pagination, position);
  const url = new URL('url' in position ? position.url : config.url);
  if (!('url' in position)) for (const [name, value] of Object.entries(config.query)) url.searchParams.set(name, value);
  if (config.method === 'POST') return { url: url.href, body: JSON.stringify({ ...config.body, ...params }) };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, String(value));
  return { url: url.href, body: undefined };
}

async function fetchPage(config: RestConfig, position: RestPosition, ctx: ReadContext): Promise<Page> {
  const { url, body } = pageRequest(config, position);
  const headers: Record<string, string> = { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json;charset=utf-8' }), ...config.headers };
  const request = withAuth(url, headers, config.auth);
  const response = await ctx.fetch(request.url, { method: config.method, headers: request.headers, body, signal: ctx.signal });
  const text = decodeText(await response.bytes(), { configured: 'auto', contentType: response.headers.get('content-type'), fallback: 'utf-8' });
  try {
    return { body: JSON.parse(text) as unknown, url: response.url, linkHeader: response.headers.get('link') };
  } catch (cause) {
    throw sourceDataError(`数据源返回的不是有效的 JSON：${response.url}`, `The source did not return valid JSON: ${response.url}`, cause);
  }
}

function recordsOf(body: unknown, recordsPath: string | string[] | undefined): unknown[] {
  if (recordsPath === undefined) {
    if (!Array.isArray(body)) throw sourceDataError('响应不是数组，请配置记录路径 recordsPath', 'The response is not an array; configure recordsPath');
    return body;
  }
  const paths = Array.isArray(recordsPath) ? recordsPath : [recordsPath];
  return paths.flatMap((path) => {
    const found = getPath(body, parsePath(path));
    if (found === undefined || found === null) return [];
    if (!Array.isArray(found)) throw sourceDataError(`记录路径 ${path} 处不是数组`, `No array at records path ${path}`);
    return found;
  });
}

function numberAt(body: unknown, path: string | undefined): number | undefined {
  if (!path) return undefined;
  const value = Number(getPath(body, parsePath(path)));
  return Number.isFinite(value) ? value : undefined;
}

function nextPosition(pagination: RestPagination, position: RestPosition, page: Page, count: number): RestPosition | undefined {
  switch (pagination.type) {
    case 'none':
      return undefined;
    case 'page': {
      const current = 'page' in position ? position.page : pagination.firstPage;
      const pagesRead = current - pagination.firstPage + 1;
      const total = numberAt(page.body, pagination.totalPath);
      const totalPages = numberAt(page.body, pagination.totalPagesPath);
      if (count === 0 || (total !== undefined && pagesRead * pagination.pageSize >= total)) return undefined;
      if (totalPages !== undefined && pagesRead >= totalPages) return undefined;
      if (total === undefined && totalPages === undefined && count < pagination.pageSize) return undefined;
      return { page: current + 1 };
    }
    case 'offset': {
      const offset = ('offset' in position ? position.offset : 0) + count;
      const total = numberAt(page.body, pagination.totalPath);
      if (count === 0 || (total !== undefined && offset >= total)) return undefined;
      if (total === undefined && count < pagination.limit) return undefined;
      return { offset };
    }
    case 'cursor': {
      const next = getPath(page.body, parsePath(pagination.nextCursorPath));
      if (count === 0 || next === undefined || next === null || next === '') return undefined;
      const cursor = String(next);
      if ('cursor' in position && position.cursor === cursor) {
        throw sourceDataError('数据源重复返回同一个游标', 'The source returned the same cursor again');
      }
      return { cursor };
    }
    case 'nextLink': {
      const raw = pagination.nextPath ? getPath(page.body, parsePath(pagination.nextPath)) : linkNext(page.linkHeader);
      if (count === 0 || typeof raw !== 'string' || raw === '') return undefined;
      const url = new URL(raw, page.url).href;
      if (url === page.url) throw sourceDataError('下一页链接指向当前页', 'The next link points to the current page');
      return { url };
    }
  }
}

function linkNext(header: string | null): string | undefined {
  for (const part of (header ?? '').split(',')) {
    const match = /<([^>]+)>\s*;(?:[^;]*;)*\s*rel="?([^";]*)"?/i.exec(part.trim());
    if (match && match[2]?.split(/\s+/).includes('next')) return match[1];
  }
  return undefined;
}
