import type { Connection } from 'mongoose';
import { ConfigError, loadConfig, type HubConfig } from '../config/index.js';
import { connectStore } from '../db/index.js';
import { startEmbeddedMongo, type EmbeddedMongo } from '../embedded-mongo/index.js';
import { EMBEDDED_DB_NAME, withDatabase } from '../hub.js';

/** Loads a config (the hub's by default), or exits 1 with its bilingual message. */
export function loadConfigOrExit<T = HubConfig>(load: () => T = loadConfig as () => T): T {
  try {
    return load();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

/**
 * Runs one CLI command against MONGODB_URI, or against the embedded store kept in DATA_DIR
 * when no URI is given (the hub must be stopped: one process owns a data directory). The
 * connection and the embedded server are always closed; a failure is printed after
 * `failureLabel` and sets exit code 1.
 */
export async function withStore(
  config: HubConfig,
  failureLabel: string,
  work: (connection: Connection) => Promise<void>,
): Promise<void> {
  let embedded: EmbeddedMongo | undefined;
  try {
    let uri = config.mongodbUri;
    if (!uri) {
      embedded = await startEmbeddedMongo({ dataDir: config.dataDir, host: '127.0.0.1', port: 0 });
      uri = withDatabase(embedded.uri, EMBEDDED_DB_NAME);
    }
    const connection = await connectStore(uri);
    try {
      await work(connection);
    } finally {
      await connection.close();
    }
  } catch (error) {
    console.error(`${failureLabel}: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  } finally {
    await embedded?.stop();
  }
}
