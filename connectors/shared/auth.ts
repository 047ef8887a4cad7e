import type { Auth } from './config.js';

/** Applies the configured auth to a request URL and headers. */
export function withAuth(url: string, headers: Record<string, string>, auth: Auth): { url: string; headers: Record<string, string> } {
  const result = { url, headers: { ...headers } };
  switch (auth.type) {
    case 'none':
      break;
    case 'header':
      result.headers[auth.name] = auth.value;
      break;
    case 'bearer':
      result.headers.Authorization = `Bearer ${auth.token}`;
      break;
    case 'basic':
      result.headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`, 'utf8').toString('base64')}`;
      break;
    case 'apiKeyQuery': {
      const withKey = new URL(url);
      withKey.searchParams.set(auth.param, auth.value);
      result.url = withKey.href;
      break;
    }
  }
  return result;
}
