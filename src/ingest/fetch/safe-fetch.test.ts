import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalServer, type LocalServer, type Handler } from '../../../connectors/testing/index.js';
import { createAddressPolicy, createSafeFetch, IngestError, isPublicAddress, type SafeFetchOptions } from './index.js';

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(handler: Handler): Promise<LocalServer> {
  const server = await startLocalServer(handler);
  servers.push(server);
  return server;
}

function fetcher(options: SafeFetchOptions = {}) {
  return createSafeFetch({ allowlist: ['127.0.0.1'], backoffBaseMs: 1, backoffMaxMs: 10, timeoutMs: 2_000, ...options });
}

async function failure(promise: Promise<unknown>): Promise<IngestError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(IngestError);
    return error as IngestError;
  }
  throw new Error('expected a failure');
}

describe('address policy', () => {
  it.each([
    '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.100.100.200', '100.64.0.1',
    '224.0.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00:ec2::254', 'ff02::1', '::ffff:127.0.0.1', '::ffff:a9fe:a9fe',
  ])('%s is not public', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
  it.each(['8.8.8.8', '114.114.114.114', '2400:3200::1'])('%s is public', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });

  it('allows what the allowlist names: a CIDR, a single address, a host name', () => {
    const policy = createAddressPolicy(['10.20.0.0/16', '192.168.1.7', 'data.intranet.gov.cn', 'fd00::/8']);
    expect(policy.allows('x.example', '10.20.3.4')).toBe(true);
    expect(policy.allows('x.example', '10.21.0.1')).toBe(false);
    expect(policy.allows('x.example', '::ffff:10.20.0.9')).toBe(true);
    expect(policy.allows('x.example', '192.168.1.7')).toBe(true);
    expect(policy.allows('x.example', '192.168.1.8')).toBe(false);
    expect(policy.allows('DATA.intranet.gov.cn.', '172.16.0.3')).toBe(true);
    expect(policy.allows('x.example', 'fd12::1')).toBe(true);
    expect(policy.allows('x.example', '169.254.169.254')).toBe(false);
  });
});

describe('createSafeFetch', () => {
  it('fetches from an allowlisted local server', async () => {
    const server = await serve((_req, res) => res.end('你好'));
    const response = await fetcher()(`${server.url}/x`);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.bytes()).toString('utf8')).toBe('你好');
  });

  it('refuses loopback without an allowlist, before connecting', async () => {
    const server = await serve((_req, res) => res.end('secret'));
    const error = await failure(createSafeFetch()(`${server.url}/`));
    expect(error.errorClass).toBe('config');
    expect(error.code).toBe('ADDRESS_BLOCKED');
    expect(error.message).toContain('拒绝访问');
    expect(server.requests).toEqual([]);
  });

  it('refuses non-http schemes', async () => {
    for (const url of ['file:///etc/passwd', 'ftp://example.com/x', 'gopher://x']) {
      const error = await failure(fetcher()(url));
      expect(error.code).toBe('URL_NOT_ALLOWED');
      expect(error.errorClass).toBe('config');
    }
  });

  it('refuses a redirect to a private or metadata address', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    });
    const error = await failure(fetcher()(`${server.url}/start`));
    expect(error.code).toBe('ADDRESS_BLOCKED');
    expect(error.message).toContain('169.254.169.254');
  });

  it('refuses a redirect whose host name resolves to a private address', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(301, { location: 'http://intranet.example.test/' });
      res.end();
    });
    const resolve = async (host: string) =>
      host === 'intranet.example.test' ? [{ address: '10.0.0.5', family: 4 as const }] : [];
    const error = await failure(fetcher({ resolve })(`${server.url}/`));
    expect(error.code).toBe('ADDRESS_BLOCKED');
  });

  it('checks every resolved address, not just the first', async () => {
    const resolve = async () => [
      { address: '93.184.216.34', family: 4 as const },
      { address: '192.168.0.10', family: 4 as const },
    ];
    const error = await failure(fetcher({ resolve })('http://mixed.example.test/'));
    expect(error.message).toContain('192.168.0.10');
  });

  it('connects to the address it checked (DNS pinning), keeping the Host header', async () => {
    let seenHost = '';
    const server = await serve((req, res) => {
      seenHost = req.headers.host ?? '';
      res.end('ok');
    });
    const port = new URL(server.url).port;
    let lookups = 0;
    const resolve = async () => {
      lookups += 1;
      return [{ address: '127.0.0.1', family: 4 as const }];
    };
    const response = await fetcher({ resolve })(`http://feed.example.test:${port}/data`);
    expect(Buffer.from(await response.bytes()).toString()).toBe('ok');
    expect(seenHost).toBe(`feed.example.test:${port}`);
    expect(lookups).toBe(1);
  });

  it('follows redirects, up to the limit', async () => {
    const server = await serve((req, res) => {
      const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n') ?? '0');
      if (n < 3) {
        res.writeHead(302, { location: `/hop?n=${n + 1}` });
        res.end();
      } else res.end(`arrived ${n}`);
    });
    const response = await fetcher()(`${server.url}/hop?n=0`);
    expect(Buffer.from(await response.bytes()).toString()).toBe('arrived 3');
    expect(response.url).toBe(`${server.url}/hop?n=3`);
    const error = await failure(fetcher({ maxRedirects: 2 })(`${server.url}/hop?n=0`));
    expect(error.code).toBe('TOO_MANY_REDIRECTS');
  });

  it('drops credentials when a redirect changes origin', async () => {
    const auths: (string | undefined)[] = [];
    const other = await serve((req, res) => {
      auths.push(req.headers.authorization);
      res.end('done');
    });
    const first = await serve((req, res) => {
      auths.push(req.headers.authorization);
      res.writeHead(307, { location: `${other.url}/next` });
      res.end();
    });
    await (await fetcher()(`${first.url}/`, { headers: { Authorization: 'Bearer t0ken' } })).bytes();
    expect(auths).toEqual(['Bearer t0ken', undefined]);
  });

  it('aborts a body past the size cap with a clear error', async () => {
    const server = await serve((_req, res) => {
      res.write(Buffer.alloc(600, 97));
      res.end(Buffer.alloc(600, 97));
    });
    const response = await fetcher({ maxBytes: 1_000 })(`${server.url}/big`);
    const error = await failure(response.bytes());
    expect(error.code).toBe('TOO_LARGE');
    expect(error.errorClass).toBe('source_data');
    expect(error.message).toContain('1000');
  });

  it('refuses a declared Content-Length past the cap before reading', async () => {
    const server = await serve((_req, res) => {
      res.setHeader('content-length', '5000');
      res.end(Buffer.alloc(5000));
    });
    const error = await failure(fetcher({ maxBytes: 1_000 })(`${server.url}/big`));
    expect(error.code).toBe('TOO_LARGE');
  });

  it('applies the cap to the decompressed size (gzip bombs)', async () => {
    const bomb = gzipSync(Buffer.alloc(200_000));
    const server = await serve((_req, res) => {
      res.setHeader('content-encoding', 'gzip');
      res.end(bomb);
    });
    expect(bomb.byteLength).toBeLessThan(10_000);
    const response = await fetcher({ maxBytes: 10_000 })(`${server.url}/`);
    expect((await failure(response.bytes())).code).toBe('TOO_LARGE');
  });

  it('retries 5xx and 429, then succeeds', async () => {
    let hits = 0;
    const server = await serve((_req, res) => {
      hits += 1;
      res.statusCode = hits === 1 ? 503 : hits === 2 ? 429 : 200;
      res.end(hits === 3 ? 'third time' : 'busy');
    });
    const response = await fetcher({ retries: 3 })(`${server.url}/`);
    expect(Buffer.from(await response.bytes()).toString()).toBe('third time');
    expect(hits).toBe(3);
  });

  it('gives up after the configured retries with a source-unreachable error', async () => {
    let hits = 0;
    const server = await serve((_req, res) => {
      hits += 1;
      res.statusCode = 502;
      res.end();
    });
    const error = await failure(fetcher({ retries: 2 })(`${server.url}/`));
    expect(hits).toBe(3);
    expect(error.errorClass).toBe('source_unreachable');
    expect(error.status).toBe(502);
  });

  it('does not retry 4xx, classifying them as config errors', async () => {
    let hits = 0;
    const server = await serve((req, res) => {
      hits += 1;
      res.statusCode = req.url === '/auth' ? 401 : 404;
      res.end();
    });
    const notFound = await failure(fetcher({ retries: 3 })(`${server.url}/missing`));
    expect(hits).toBe(1);
    expect(notFound.errorClass).toBe('config');
    expect(notFound.message).toContain('资源不存在');
    const auth = await failure(fetcher({ retries: 3 })(`${server.url}/auth`));
    expect(hits).toBe(2);
    expect(auth.message).toContain('Authentication failed');
  });

  it('retries connection resets', async () => {
    let hits = 0;
    const server = await serve((req, res) => {
      hits += 1;
      if (hits === 1) req.socket.destroy();
      else res.end('recovered');
    });
    const response = await fetcher({ retries: 2 })(`${server.url}/`);
    expect(Buffer.from(await response.bytes()).toString()).toBe('recovered');
    expect(hits).toBe(2);
  });

  it('times out a silent source and retries it', async () => {
    let hits = 0;
    const server = await serve((_req, res) => {
      hits += 1;
      if (hits === 2) res.end('late but fine');
      // first request: never answers
    });
    const response = await fetcher({ timeoutMs: 200, retries: 1 })(`${server.url}/`);
    expect(Buffer.from(await response.bytes()).toString()).toBe('late but fine');
    const silent = await serve(() => undefined);
    const error = await failure(fetcher({ timeoutMs: 150, retries: 0 })(`${silent.url}/`));
    expect(error.code).toBe('TIMEOUT');
    expect(error.errorClass).toBe('source_unreachable');
  });

  it('stops when the run signal aborts', async () => {
    const silent = await serve(() => undefined);
    const controller = new AbortController();
    const pending = fetcher({ timeoutMs: 5_000 })(`${silent.url}/`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect((await failure(pending)).code).toBe('ABORTED');
  });

  it('rejects bad options as a config error', () => {
    expect(() => createSafeFetch({ allowlist: ['10.0.0.0/99'] })).toThrow(/允许列表|allowlist/);
  });
});
