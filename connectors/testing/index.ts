import { existsSync, readFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSafeFetch, type SafeFetchOptions } from '../../src/ingest/fetch/index.js';
import type { ConnectorState, RawRecord, ReadContext, ReadEvent } from '../contract.js';

/** Test helpers for connectors: a real HTTP server on 127.0.0.1 and a read context that allowlists it. */

export type Handler = (request: IncomingMessage, response: ServerResponse, url: URL) => unknown;

export interface LocalServer {
  url: string;
  /** Requests seen, as path + query. */
  requests: string[];
  close(): Promise<void>;
}

export async function startLocalServer(handler: Handler): Promise<LocalServer> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    requests.push(`${url.pathname}${url.search}`);
    Promise.resolve(handler(request, response, url)).catch((error: unknown) => {
      response.statusCode = 500;
      response.end(String(error));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** Serves fixed bodies by path; everything else is 404. */
export function serveFiles(routes: Record<string, { body: string | Uint8Array; type?: string }>): Handler {
  return (_request, response, url) => {
    const route = routes[url.pathname];
    if (!route) {
      response.statusCode = 404;
      response.end('not found');
      return;
    }
    response.setHeader('content-type', route.type ?? 'application/octet-stream');
    response.end(route.body);
  };
}

export function testReadContext(options: SafeFetchOptions = {}): ReadContext & { logs: string[] } {
  const logs: string[] = [];
  return {
    signal: new AbortController().signal,
    fetch: createSafeFetch({ allowlist: ['127.0.0.1'], retries: 1, backoffBaseMs: 5, timeoutMs: 5_000, ...options }),
    log: (message) => logs.push(message),
    logs,
  };
}

export interface Collected {
  records: RawRecord[];
  checkpoints: ConnectorState[];
  complete: ConnectorState | undefined;
  events: ReadEvent['type'][];
}

export async function collect(events: AsyncIterable<ReadEvent>): Promise<Collected> {
  const result: Collected = { records: [], checkpoints: [], complete: undefined, events: [] };
  for await (const event of events) {
    result.events.push(event.type);
    if (event.type === 'record') result.records.push(event.record);
    else if (event.type === 'checkpoint') result.checkpoints.push(event.state);
    else result.complete = event.state;
  }
  return result;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const REAL_SAMPLES_DIR = resolve(repoRoot, '../shared/real-samples');

/** A file from ../shared/real-samples, or undefined (tests then skip with a message). */
export function realSample(name: string): Buffer | undefined {
  const path = resolve(REAL_SAMPLES_DIR, name);
  if (!existsSync(path)) {
    console.warn(`real sample missing, test skipped: ${path}`);
    return undefined;
  }
  return readFileSync(path);
}

export function fixture(importMetaUrl: string, name: string): Buffer {
  return readFileSync(resolve(dirname(fileURLToPath(importMetaUrl)), 'fixtures', name));
}
