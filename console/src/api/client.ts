/** The console's only way to the hub: the public GraphQL API with the signed-in user's bearer token. */

const TOKEN_KEY = 'gx.console.token';

/** A failed GraphQL request; `message` is the hub's user-facing text (Chinese / English). */
export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GraphQLRequestError';
  }

  /** The token is missing, expired or no longer stands for a user. */
  get unauthenticated(): boolean {
    return this.code === 'UNAUTHENTICATED' || this.status === 401;
  }
}

type UnauthenticatedListener = () => void;
const unauthenticatedListeners = new Set<UnauthenticatedListener>();

/** Called when the hub rejects the stored token, so the auth layer can sign the user out. */
export function onUnauthenticated(listener: UnauthenticatedListener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

export function storedToken(): string | null {
  return localStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

/** Authorization header for requests outside GraphQL (report downloads). */
export function authHeaders(): Record<string, string> {
  const token = storedToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

interface GraphQLResponse<TData> {
  data?: TData | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export async function gql<TData, TVars extends Record<string, unknown> = Record<string, unknown>>(query: string, variables?: TVars): Promise<TData> {
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...authHeaders() },
      body: JSON.stringify({ query, variables: variables ?? {} }),
    });
  } catch {
    throw new GraphQLRequestError('无法连接到服务器 / Cannot reach the server', 'NETWORK');
  }
  let body: GraphQLResponse<TData>;
  try {
    body = (await response.json()) as GraphQLResponse<TData>;
  } catch {
    throw new GraphQLRequestError(`服务器响应无效（${response.status}）/ Invalid server response (${response.status})`, 'BAD_RESPONSE', response.status);
  }
  const first = body.errors?.[0];
  if (first) {
    const error = new GraphQLRequestError(first.message, first.extensions?.code, response.status);
    if (error.unauthenticated && storedToken()) for (const listener of unauthenticatedListeners) listener();
    throw error;
  }
  if (!body.data) throw new GraphQLRequestError(`服务器未返回数据（${response.status}）/ No data from the server (${response.status})`, 'NO_DATA', response.status);
  return body.data;
}
