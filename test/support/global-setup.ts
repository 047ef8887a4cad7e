import type { TestProject } from 'vitest/node';
import { startEmbeddedMongo } from '../../src/embedded-mongo/index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    mongoIsEmbedded: boolean;
  }
}

/**
 * One store for the whole run: a real MongoDB when MONGODB_URI is set, otherwise the
 * embedded server in memory. Test files isolate themselves by database name.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.MONGODB_URI;
  if (external) {
    project.provide('mongoUri', external);
    project.provide('mongoIsEmbedded', false);
    return async () => {};
  }
  const server = await startEmbeddedMongo({ host: '127.0.0.1', port: 0 });
  project.provide('mongoUri', server.uri);
  project.provide('mongoIsEmbedded', true);
  return () => server.stop();
}
