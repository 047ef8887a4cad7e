import { Long, Timestamp, type Document } from 'bson';
import { ErrorCode, commandError } from './errors.js';
import { runPipeline } from './query.js';
import { isPlainObject, keyOf, type Doc } from './values.js';

/** One committed change to a document, as the catalog reports it. */
export interface DocumentChange {
  db: string;
  coll: string;
  kind: 'insert' | 'update' | 'delete';
  id: unknown;
  before?: Doc;
  after?: Doc;
}

const DEFAULT_AWAIT_MS = 1000;
const MAX_BUFFERED_EVENTS = 10_000;
const IDLE_TIMEOUT_MS = 10 * 60_000;

interface Stream {
  id: number;
  namespace: string;
  db?: string;
  coll?: string;
  pipeline: Document[];
  lookupFullDocument: boolean;
  buffer: Document[];
  wake?: () => void;
  lastToken: Document;
  lastUsed: number;
  /** The current document of a change, for `fullDocument: 'updateLookup'`. */
  lookup: (db: string, coll: string, id: unknown) => Doc | undefined;
}

function token(seq: number): Document {
  return { _data: seq.toString(16).padStart(16, '0') };
}

/** Top-level differences between two versions, as `updateDescription`. */
function describeUpdate(before: Doc, after: Doc): Document {
  const updatedFields: Document = {};
  const removedFields: string[] = [];
  for (const [field, value] of Object.entries(after)) {
    if (!(field in before) || keyOf(before[field]) !== keyOf(value)) updatedFields[field] = value;
  }
  for (const field of Object.keys(before)) if (!(field in after)) removedFields.push(field);
  return { updatedFields, removedFields, truncatedArrays: [] };
}

/**
 * Change streams (`$changeStream`): events for inserts, updates and deletes committed after a
 * stream opened, on one collection, one database or the whole server. Streams keep no history,
 * so a resume token only marks a position in the stream that is still open.
 */
export class ChangeStreams {
  private readonly streams = new Map<number, Stream>();
  private seq = 0;

  get active(): boolean {
    return this.streams.size > 0;
  }

  has(id: number): boolean {
    return this.streams.has(id);
  }

  open(
    id: number,
    db: string,
    source: unknown,
    options: Document,
    pipeline: Document[],
    lookup: Stream['lookup'],
  ): Document {
    const wholeCluster = db === 'admin' && options.allChangesForCluster === true;
    const coll = typeof source === 'string' ? source : undefined;
    if (!wholeCluster && source !== 1 && coll === undefined) {
      throw commandError(ErrorCode.TypeMismatch, "'aggregate' 必须是集合名或 1 / 'aggregate' must be a collection name or 1");
    }
    for (const stage of pipeline) {
      const name = Object.keys(stage)[0] ?? '';
      if (!['$match', '$project', '$addFields', '$set', '$unset', '$replaceRoot', '$replaceWith', '$redact'].includes(name)) {
        throw commandError(ErrorCode.BadValue, `变更流中不允许 ${name} / ${name} is not permitted in a $changeStream pipeline`);
      }
    }
    const fullDocument = options.fullDocument ?? 'default';
    const namespace = `${db}.${coll ?? '$cmd.aggregate'}`;
    this.streams.set(id, {
      id,
      namespace,
      db: wholeCluster ? undefined : db,
      coll,
      pipeline,
      lookupFullDocument: fullDocument === 'updateLookup' || fullDocument === 'whenAvailable' || fullDocument === 'required',
      buffer: [],
      lastToken: token(this.seq),
      lastUsed: Date.now(),
      lookup,
    });
    return { firstBatch: [], id: Long.fromNumber(id), ns: namespace, postBatchResumeToken: token(this.seq) };
  }

  /** Delivers a committed change to every stream watching its namespace. */
  publish(change: DocumentChange): void {
    this.seq += 1;
    const now = new Date();
    for (const stream of this.streams.values()) {
      if ((stream.db !== undefined && stream.db !== change.db) || (stream.coll !== undefined && stream.coll !== change.coll)) continue;
      const event: Document = {
        _id: token(this.seq),
        operationType: change.kind,
        clusterTime: new Timestamp({ t: Math.floor(now.getTime() / 1000), i: this.seq % 2 ** 31 }),
        wallTime: now,
        ns: { db: change.db, coll: change.coll },
        documentKey: { _id: change.id },
      };
      if (change.kind === 'insert') event.fullDocument = change.after;
      if (change.kind === 'update' && change.before && change.after) {
        event.updateDescription = describeUpdate(change.before, change.after);
        if (stream.lookupFullDocument) event.fullDocument = null;
      }
      if (stream.buffer.length < MAX_BUFFERED_EVENTS) stream.buffer.push(event);
      stream.wake?.();
    }
  }

  /** Waits up to `maxTimeMS` (1 s by default) for events, then returns what arrived. */
  async getMore(id: number, batchSize: number | undefined, maxTimeMS: number | undefined): Promise<Document> {
    const stream = this.streams.get(id);
    if (!stream) throw commandError(ErrorCode.CursorNotFound, `游标不存在 / cursor id ${id} not found`);
    stream.lastUsed = Date.now();
    if (stream.buffer.length === 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, maxTimeMS ?? DEFAULT_AWAIT_MS);
        stream.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      stream.wake = undefined;
    }
    const taken = stream.buffer.splice(0, batchSize && batchSize > 0 ? batchSize : stream.buffer.length);
    if (taken.length > 0) stream.lastToken = taken[taken.length - 1]?._id as Document;
    for (const event of taken) {
      if (event.fullDocument === null) {
        const ns = event.ns as { db: string; coll: string };
        event.fullDocument = stream.lookup(ns.db, ns.coll, (event.documentKey as Document)._id) ?? null;
      }
    }
    const nextBatch = stream.pipeline.length > 0 ? runPipeline(taken, stream.pipeline, () => []) : taken;
    const resumable = nextBatch.every((event) => isPlainObject(event._id));
    if (!resumable) {
      throw commandError(ErrorCode.ChangeStreamFatalError, '变更流事件缺少 _id / Encountered an event whose _id field, which contains the resume token, was modified by the pipeline');
    }
    return { nextBatch, id: Long.fromNumber(id), ns: stream.namespace, postBatchResumeToken: stream.lastToken };
  }

  /** Closes streams nobody has read for 10 minutes (a client that went away without closing). */
  expireIdle(now = Date.now()): void {
    for (const [id, stream] of this.streams) if (now - stream.lastUsed > IDLE_TIMEOUT_MS) this.streams.delete(id);
  }

  kill(ids: number[]): number[] {
    return ids.filter((id) => this.streams.delete(id));
  }
}
