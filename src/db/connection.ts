import mongoose, { type Connection } from 'mongoose';

export interface ConnectOptions {
  /** Emit the driver's command monitoring events (commandStarted, …) on the client. */
  monitorCommands?: boolean;
  /** How long to wait for a server before giving up on a command. */
  serverSelectionTimeoutMS?: number;
}

/**
 * Opens a dedicated connection (never mongoose's global one), so that tests, benchmarks
 * and several hubs in one process each own their store handle and models.
 */
export async function connectStore(uri: string, options: ConnectOptions = {}): Promise<Connection> {
  const connection = mongoose.createConnection(uri, {
    monitorCommands: options.monitorCommands ?? false,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 10_000,
    // Indexes are created explicitly by ensureIndexes() so start-up order is deterministic.
    autoIndex: false,
    autoCreate: false,
  });
  await connection.asPromise();
  return connection;
}

/** True when the store answers a ping within the driver's timeout. */
export async function pingStore(connection: Connection): Promise<boolean> {
  const db = connection.db;
  if (!db || connection.readyState !== mongoose.ConnectionStates.connected) return false;
  try {
    const reply = await db.command({ ping: 1 });
    return reply.ok === 1;
  } catch {
    return false;
  }
}
