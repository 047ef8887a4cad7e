import type { Connection, mongo } from 'mongoose';

type Collection<T extends mongo.Document> = mongo.Collection<T>;
import type { TokenBucketSettings } from '../../config/index.js';

export interface TakeResult {
  allowed: boolean;
  /** When refused: milliseconds until one token is back. */
  retryAfterMs: number;
}

/**
 * Where token buckets live. A bucket is kept as its theoretical arrival time (GCRA, the
 * token bucket in one number): each request moves it one interval (1/rate) later; a request
 * is refused when that would put it more than `burst` intervals ahead of now.
 */
export interface RateLimitStore {
  take(key: string, bucket: TokenBucketSettings, now: number): Promise<TakeResult>;
}

function intervalOf(bucket: TokenBucketSettings): number {
  return 1000 / bucket.perSecond;
}

/** One process only: for tests and single-instance deployments. */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly arrivals = new Map<string, number>();

  async take(key: string, bucket: TokenBucketSettings, now: number): Promise<TakeResult> {
    const interval = intervalOf(bucket);
    const next = Math.max(this.arrivals.get(key) ?? now, now) + interval;
    const ahead = next - now;
    if (ahead > bucket.burst * interval) return { allowed: false, retryAfterMs: ahead - bucket.burst * interval };
    if (this.arrivals.size > 100_000) this.prune(now);
    this.arrivals.set(key, next);
    return { allowed: true, retryAfterMs: 0 };
  }

  private prune(now: number): void {
    for (const [key, arrival] of this.arrivals) if (arrival < now) this.arrivals.delete(key);
  }
}

interface BucketDoc {
  _id: string;
  tat: number;
  expiresAt: Date;
}

/**
 * Buckets in MongoDB (collection rateLimits), shared by every instance. Each take is atomic
 * updates only ($max, then $inc; a refused take gives its interval back), so concurrent
 * instances never lose or double-count a request. Old buckets expire through a TTL index.
 */
export class MongoRateLimitStore implements RateLimitStore {
  private indexed: Promise<unknown> | null = null;

  constructor(private readonly collection: Collection<BucketDoc>) {}

  static on(connection: Connection): MongoRateLimitStore {
    if (!connection.db) throw new Error('store connection is not open');
    return new MongoRateLimitStore(connection.db.collection<BucketDoc>('rateLimits'));
  }

  async take(key: string, bucket: TokenBucketSettings, now: number): Promise<TakeResult> {
    this.indexed ??= this.collection.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 }).catch(() => undefined);
    const interval = intervalOf(bucket);
    const tolerance = bucket.burst * interval;
    await this.collection.updateOne({ _id: key }, { $max: { tat: now }, $set: { expiresAt: new Date(now + tolerance + 60_000) } }, { upsert: true });
    const moved = await this.collection.findOneAndUpdate({ _id: key }, { $inc: { tat: interval } }, { returnDocument: 'after' });
    const next = moved?.tat ?? now + interval;
    const ahead = next - now;
    if (ahead <= tolerance) return { allowed: true, retryAfterMs: 0 };
    await this.collection.updateOne({ _id: key }, { $inc: { tat: -interval } });
    return { allowed: false, retryAfterMs: ahead - tolerance };
  }
}
