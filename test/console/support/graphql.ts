import type { Page } from 'playwright-core';
import { hubUrl } from './index.js';

/**
 * A GraphQL request to the hub with the token the console in `page` signed in with: the tests
 * check through the API what the user did through the UI.
 */
export async function graphqlAs<T>(page: Page, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const token = await page.evaluate<string | null>("localStorage.getItem('gx.console.token')");
  const response = await fetch(hubUrl('/graphql'), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors || !body.data) throw new Error(`GraphQL: ${JSON.stringify(body.errors)}`);
  return body.data;
}
