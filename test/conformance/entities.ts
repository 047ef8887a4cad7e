import { ClientSession, Collection, Db, MongoClient, type Document } from 'mongodb';
import {
  clientEntitySchema,
  collectionEntitySchema,
  databaseEntitySchema,
  sessionEntitySchema,
} from './spec-format.js';
import type { MatchEntities } from './matcher.js';

/** A mistake in the test file or a gap in this runner, never an outcome of the server. */
export class RunnerError extends Error {}

/** Keeps a hung server from stalling the whole run: every client gives up within seconds. */
const CLIENT_TIMEOUTS = { serverSelectionTimeoutMS: 5_000, socketTimeoutMS: 10_000, connectTimeoutMS: 5_000 };

/**
 * The entity map of one test: clients, databases, collections and sessions named in
 * createEntities, plus results saved with saveResultAsEntity.
 */
export class EntityMap implements MatchEntities {
  private readonly entities = new Map<string, unknown>();
  private readonly clients: MongoClient[] = [];
  private readonly sessions: ClientSession[] = [];

  constructor(private readonly uri: string) {}

  async create(definitions: Record<string, unknown>[]): Promise<void> {
    for (const definition of definitions) {
      const [kind, spec] = Object.entries(definition)[0] ?? [];
      switch (kind) {
        case 'client':
          await this.createClient(spec);
          break;
        case 'database': {
          const db = databaseEntitySchema.parse(spec);
          this.set(db.id, this.get(db.client, MongoClient).db(db.databaseName, db.databaseOptions));
          break;
        }
        case 'collection': {
          const coll = collectionEntitySchema.parse(spec);
          this.set(coll.id, this.get(coll.database, Db).collection(coll.collectionName, coll.collectionOptions));
          break;
        }
        case 'session': {
          const session = sessionEntitySchema.parse(spec);
          const started = this.get(session.client, MongoClient).startSession(session.sessionOptions);
          this.sessions.push(started);
          this.set(session.id, started);
          break;
        }
        default:
          throw new RunnerError(`entity type ${kind ?? '(none)'} is not supported by this runner`);
      }
    }
  }

  private async createClient(spec: unknown): Promise<void> {
    const client = clientEntitySchema.parse(spec);
    // observeEvents is accepted but not wired: expectEvents are not checked (see the runner).
    const mongoClient = new MongoClient(this.uri, { ...CLIENT_TIMEOUTS, ...client.uriOptions });
    this.clients.push(mongoClient);
    await mongoClient.connect();
    this.set(client.id, mongoClient);
  }

  set(id: string, value: unknown): void {
    if (this.entities.has(id)) throw new RunnerError(`entity ${id} already exists`);
    this.entities.set(id, value);
  }

  entity(id: string): unknown {
    if (!this.entities.has(id)) throw new RunnerError(`no entity named ${id}`);
    return this.entities.get(id);
  }

  get<T>(id: string, type: abstract new (...args: never[]) => T): T {
    const value = this.entity(id);
    if (!(value instanceof type)) throw new RunnerError(`entity ${id} is not a ${type.name}`);
    return value;
  }

  sessionLsid(id: string): Document {
    const lsid = this.get(id, ClientSession).id;
    if (!lsid) throw new RunnerError(`session ${id} has no server session id`);
    return lsid;
  }

  collection(id: string): Collection {
    return this.get(id, Collection);
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.sessions.map((session) => session.endSession()));
    await Promise.allSettled(this.clients.map((client) => client.close(true)));
  }
}
