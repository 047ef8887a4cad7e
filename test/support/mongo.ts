import { inject } from 'vitest';
import { randomBytes } from 'node:crypto';

/** The URI of the store the suite runs against (embedded or MONGODB_URI). */
export function testMongoUri(): string {
  return inject('mongoUri');
}

export function storeIsEmbedded(): boolean {
  return inject('mongoIsEmbedded');
}

/** A database name unique to one test file, so files can run in parallel. */
export function uniqueDbName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString('hex')}`;
}

/** The suite's URI pointed at another database, keeping any query string. */
export function uriForDb(dbName: string, uri = testMongoUri()): string {
  const url = new URL(uri);
  url.pathname = `/${dbName}`;
  return url.toString();
}
