import { createHash } from 'node:crypto';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { Connection, mongo } from 'mongoose';

type Collection<T extends mongo.Document> = mongo.Collection<T>;

/** persistedOperations: `_id` is the SHA-256 (hex) of the exact query text. */
export interface PersistedOperationDoc {
  _id: string;
  query: string;
  operationName: string | null;
  registeredBy: string;
  registeredAt: Date;
}

/** Positive lookups kept in memory; registrations made on other instances are found on a miss. */
const KNOWN_HASHES_KEPT = 10_000;

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The allowlist in MongoDB, shared by every instance. */
export class PersistedOperationStore {
  private static readonly byConnection = new WeakMap<Connection, PersistedOperationStore>();
  private readonly known = new Map<string, string>();

  constructor(private readonly collection: Collection<PersistedOperationDoc>) {}

  /** One store per connection, shared by the allowlist plugin and the registering resolver. */
  static of(connection: Connection): PersistedOperationStore {
    let store = PersistedOperationStore.byConnection.get(connection);
    if (!store) {
      if (!connection.db) throw new Error('store connection is not open');
      store = new PersistedOperationStore(connection.db.collection<PersistedOperationDoc>('persistedOperations'));
      PersistedOperationStore.byConnection.set(connection, store);
    }
    return store;
  }

  /** The registered query text for a hash, or undefined. */
  async queryOf(hash: string): Promise<string | undefined> {
    const cached = this.known.get(hash);
    if (cached !== undefined) return cached;
    const doc = await this.collection.findOne({ _id: hash });
    if (doc) this.remember(hash, doc.query);
    return doc?.query;
  }

  async has(hash: string): Promise<boolean> {
    return (await this.queryOf(hash)) !== undefined;
  }

  async register(query: string, operationName: string | null, registeredBy: string): Promise<PersistedOperationDoc> {
    const _id = sha256Hex(query);
    const doc = await this.collection.findOneAndUpdate(
      { _id },
      { $setOnInsert: { query, operationName, registeredBy, registeredAt: new Date() } },
      { upsert: true, returnDocument: 'after' },
    );
    if (!doc) throw new Error('persisted operation upsert returned nothing');
    this.remember(_id, query);
    return doc;
  }

  /**
   * Apollo's persisted-query cache, read from the allowlist. Clients cannot add to it
   * (automatic registration would let anyone grow the store): `set` does nothing.
   */
  asApolloCache(): KeyValueCache<string> {
    return {
      get: (key) => this.queryOf(key.replace(/^apq:/, '')),
      set: async () => undefined,
      delete: async () => false,
    };
  }

  private remember(hash: string, query: string): void {
    if (this.known.size >= KNOWN_HASHES_KEPT) this.known.delete(this.known.keys().next().value as string);
    this.known.set(hash, query);
  }
}
