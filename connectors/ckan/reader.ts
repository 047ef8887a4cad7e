import type { ConnectorState, ReadContext, ReadEvent } from '../contract.js';
import { readRest } from '../rest/reader.js';
import type { RestConfig } from '../rest/config.js';
import type { CkanConfig } from './config.js';

/**
 * CKAN's package_search is a REST endpoint paged by start/rows with the total in
 * `result.count`; the REST reader does the paging, checkpoints and resume.
 */
export function toRestConfig(config: CkanConfig): RestConfig {
  const url = new URL('api/3/action/package_search', config.url.endsWith('/') ? config.url : `${config.url}/`);
  return {
    url: url.href,
    headers: config.headers,
    auth: config.auth,
    mapping: config.mapping,
    idPath: config.idPath,
    cursorPath: config.cursorPath,
    query: { q: config.q, sort: config.sort, ...(config.fq ? { fq: config.fq } : {}) },
    method: 'GET',
    body: {},
    recordsPath: 'result.results',
    pagination: { type: 'offset', offsetParam: 'start', limitParam: 'rows', limit: config.rows, totalPath: 'result.count' },
    maxPages: config.maxPages,
  };
}

export function readCkan(config: CkanConfig, state: ConnectorState | undefined, ctx: ReadContext): AsyncIterable<ReadEvent> {
  return readRest(toRestConfig(config), state, ctx);
}
