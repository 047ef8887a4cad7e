import type { Types, mongo } from 'mongoose';
import { departmentModel, type ResourceModel, type ResourceStatus } from '../../db/index.js';
import type { NormalizedRecord } from '../../domain/catalog/normalized-record.js';
import { issuedByDepartment, issuersCompatible, policyMergeKeys } from './identity.js';

/**
 * One resource, several copies: each feed that carries a merged policy keeps its own
 * provenance entry (its key, its content hash), and the resource shows the content of the
 * copy that takes precedence. A feed dropping its copy marks the entry dropped; the
 * resource is withdrawn only when every copy is dropped.
 */

/** The provenance fields merging reads and writes (a subset of the stored entry). */
export interface CopyEntry {
  feedId: Types.ObjectId;
  sourceId: string;
  fetchedAt: Date;
  contentHash: string;
  /** When this copy's content last changed (absent on entries older than merging: fetchedAt). */
  changedAt?: Date;
  /** Set while the copy's feed no longer carries it. */
  droppedAt?: Date;
  /** The copy comes from a feed of the policy's issuing department. */
  issuerCopy?: boolean;
}

/** A stored resource as the writer and withdrawal read it. */
export interface StoredCopies {
  _id: Types.ObjectId;
  status: ResourceStatus;
  provenance: CopyEntry[];
  withdrawalHeldBy?: Types.ObjectId;
}

/** A stored resource and the merge keys it holds (unique across resources; absent on older ones). */
export interface ClaimHolder {
  _id: Types.ObjectId;
  mergeClaims?: string[];
}

interface MergeCandidate extends StoredCopies, ClaimHolder {
  mergeKeys?: string[];
  issuers?: string[];
}

/** A record of the batch, as far as merging looks at it. */
export interface MergeItem {
  sourceId: string;
  record: NormalizedRecord;
}

/** What the writer needs for one batch: where records join other feeds' copies, and their identity fields. */
export interface BatchMerge<T extends StoredCopies> {
  /** sourceId → the resource (from other feeds) the record joins instead of being inserted. */
  targets: Map<string, T>;
  /** Fields stored on the resource for its identity (`mergeKeys`), empty for non-policies. */
  identityFields(record: NormalizedRecord): { mergeKeys?: string[] };
  /**
   * The merge keys (`mergeClaims`, unique across resources) a record claims for the resource it
   * inserts, joins or rewrites: its keys that no other stored resource, and no earlier record of
   * the batch, holds. Undefined when it claims none (not a policy, or every key is held).
   */
  claims(sourceId: string): string[] | undefined;
  /** Whether the record's copy comes from its issuing department; undefined for non-policies. */
  issuerCopy(record: NormalizedRecord): boolean | undefined;
}

function rank(entry: CopyEntry): [number, number] {
  return [entry.issuerCopy ? 1 : 0, (entry.changedAt ?? entry.fetchedAt).getTime()];
}

/** -1, 0 or 1: the issuing department's copy first, else the most recently changed. */
function compareRank(a: CopyEntry, b: CopyEntry): number {
  const [x, y] = [rank(a), rank(b)];
  return x[0] - y[0] || Math.sign(x[1] - y[1]);
}

function isActive(entry: CopyEntry): boolean {
  return !entry.droppedAt;
}

/**
 * Whether `entry` (already in `provenance`) decides the resource's content: it ranks at
 * least as high as every other copy still carried. Ties go to the copy being written.
 */
export function takesPrecedence(provenance: readonly CopyEntry[], entry: CopyEntry): boolean {
  return provenance.every((other) => other === entry || !isActive(other) || compareRank(entry, other) >= 0);
}

async function departmentName(Resource: ResourceModel, code: string): Promise<string | undefined> {
  const department = await departmentModel(Resource.db).collection.findOne({ code }, { projection: { name: 1 } });
  const name = (department as { name?: { zh?: unknown } } | null)?.name?.zh;
  return typeof name === 'string' ? name : undefined;
}

/** Whether a record with these merge keys and issuers can be a copy of the stored resource. */
function sameIdentity(doc: MergeCandidate, keys: readonly string[], issuers: readonly string[]): boolean {
  return keys.some(
    (key) =>
      (doc.mergeKeys?.includes(key) || doc.mergeClaims?.includes(key)) &&
      (!key.startsWith('doc:') || issuersCompatible(issuers, doc.issuers ?? [])),
  );
}

/**
 * Prepares one batch of a feed's records for merging: loads (one query) the policies of
 * other feeds that share a merge key with a record not yet stored for this feed. A record
 * joins the oldest such resource (deterministic), one copy per feed per resource; the others
 * are inserted and claim their keys not held yet. A record joining a resource, or changing its
 * feed's copy of one (`rewritten`: sourceId → that resource), claims the keys it brings the same
 * way, so a key added after creation is held too. Two syncs claiming
 * one key at once: the store refuses the second claim (E11000), and that writer prepares the
 * record again, now finding the first one's resource (src/ingest/resource-writer.ts).
 */
export async function prepareBatchMerge<T extends StoredCopies>(
  Resource: ResourceModel,
  feedId: Types.ObjectId,
  items: readonly MergeItem[],
  unmatched: ReadonlySet<string>,
  rewritten: ReadonlyMap<string, ClaimHolder>,
): Promise<BatchMerge<T>> {
  const keysBySource = new Map<string, string[]>();
  let department: string | undefined;
  for (const item of items) {
    if (item.record.kind !== 'POLICY') continue;
    keysBySource.set(item.sourceId, policyMergeKeys(item.record));
    department = item.record.department;
  }
  const issuerName = department === undefined ? undefined : await departmentName(Resource, department);
  const targets = new Map<string, T>();
  const claims = new Map<string, string[]>();
  /** Key → the resource holding it (null: one this batch inserts): stored claims, then the batch's earlier claims. */
  const holders = new Map<string, Types.ObjectId | null>();
  for (const holder of rewritten.values()) for (const key of holder.mergeClaims ?? []) holders.set(key, holder._id);
  let candidates: Array<MergeCandidate & T> = [];
  const keysOf = (sourceIds: Iterable<string>): string[] => [...sourceIds].flatMap((sourceId) => keysBySource.get(sourceId) ?? []);
  const wanted = [...new Set(keysOf(unmatched))];
  const reclaimed = [...new Set([...wanted, ...keysOf(rewritten.keys())])];
  if (reclaimed.length > 0) {
    const found = (await Resource.collection
      .find({ $or: [{ kind: 'POLICY', mergeKeys: { $in: wanted } }, { kind: 'POLICY', mergeClaims: { $in: reclaimed } }] }, {
        projection: { status: 1, provenance: 1, withdrawalHeldBy: 1, mergeKeys: 1, mergeClaims: 1, issuers: 1 },
      })
      .toArray()) as unknown as Array<MergeCandidate & T>;
    for (const doc of found) for (const key of doc.mergeClaims ?? []) holders.set(key, doc._id);
    candidates = found
      .filter((doc) => !doc.provenance.some((entry) => entry.feedId.equals(feedId)))
      .sort((a, b) => a._id.toHexString().localeCompare(b._id.toHexString()));
  }
  const joined = new Set<string>();
  /** The record's keys free for `owner` (held by nobody else; null: the resource it inserts), now held by it. */
  const claim = (sourceId: string, keys: readonly string[], owner: Types.ObjectId | null): void => {
    const free = keys.filter((key) => {
      const holder = holders.get(key);
      return holder === undefined || (owner !== null && holder !== null && holder.equals(owner));
    });
    for (const key of free) holders.set(key, owner);
    if (free.length > 0) claims.set(sourceId, free);
  };
  for (const item of items) {
    const keys = keysBySource.get(item.sourceId);
    if (!keys) continue;
    const resource = rewritten.get(item.sourceId);
    if (resource) {
      claim(item.sourceId, keys, resource._id);
      continue;
    }
    if (!unmatched.has(item.sourceId)) continue;
    const issuers = item.record.kind === 'POLICY' ? item.record.issuers : [];
    const target = candidates.find((doc) => !joined.has(doc._id.toHexString()) && sameIdentity(doc, keys, issuers));
    if (target) {
      joined.add(target._id.toHexString());
      targets.set(item.sourceId, target);
      claim(item.sourceId, keys, target._id);
      continue;
    }
    claim(item.sourceId, keys, null);
  }
  return {
    targets,
    identityFields: (record) => (record.kind === 'POLICY' ? { mergeKeys: policyMergeKeys(record) } : {}),
    claims: (sourceId) => claims.get(sourceId),
    issuerCopy: (record) =>
      record.kind === 'POLICY' && issuerName !== undefined ? issuedByDepartment(record.issuers, issuerName) : undefined,
  };
}

/**
 * A feed's copies missing from its complete snapshot. A resource other feeds still carry
 * stays; only this feed's entry is marked dropped (and, when it was the copy in force, the
 * others' hashes are cleared so their next sync restores their content). The rest are
 * withdrawn (soft); a merged one has every entry dropped then, so any copy that comes back
 * is in force. Returns how many resources were withdrawn.
 */
export async function dropCopies(
  Resource: ResourceModel,
  feedId: Types.ObjectId,
  copies: readonly StoredCopies[],
  now: Date,
): Promise<number> {
  const withdraw: Types.ObjectId[] = [];
  const kept: mongo.AnyBulkWriteOperation[] = [];
  const withdrawMerged: mongo.AnyBulkWriteOperation[] = [];
  for (const copy of copies) {
    const own = copy.provenance.find((entry) => entry.feedId.equals(feedId));
    const others = copy.provenance.filter((entry) => entry !== own && isActive(entry));
    if (!own || copy.provenance.length === 1) {
      withdraw.push(copy._id);
      continue;
    }
    if (others.length === 0) {
      const provenance = copy.provenance.map((entry) => (entry === own ? { ...entry, droppedAt: now } : entry));
      withdrawMerged.push({
        updateOne: {
          filter: { _id: copy._id, status: { $ne: 'WITHDRAWN' } },
          update: { $set: { provenance, status: 'WITHDRAWN', withdrawnAt: now, updatedAt: now }, $unset: { withdrawalHeldBy: '' } },
        },
      });
      continue;
    }
    const wasInForce = takesPrecedence(copy.provenance, own);
    const provenance = copy.provenance.map((entry) => {
      if (entry === own) return { ...entry, droppedAt: now };
      return wasInForce && isActive(entry) ? { ...entry, contentHash: '' } : entry;
    });
    kept.push({ updateOne: { filter: { _id: copy._id }, update: { $set: { provenance } } } });
  }
  let withdrawn = 0;
  if (kept.length > 0) await Resource.collection.bulkWrite(kept, { ordered: false });
  if (withdrawMerged.length > 0) withdrawn += (await Resource.collection.bulkWrite(withdrawMerged, { ordered: false })).modifiedCount;
  if (withdraw.length > 0) {
    const result = await Resource.collection.updateMany(
      { _id: { $in: withdraw }, status: { $ne: 'WITHDRAWN' } },
      { $set: { status: 'WITHDRAWN', withdrawnAt: now, updatedAt: now }, $unset: { withdrawalHeldBy: '' } },
    );
    withdrawn += result.modifiedCount;
  }
  return withdrawn;
}

/** Whether the feed's entry on a stored resource is still carried (not dropped by an earlier run). */
export function carriedBy(copy: StoredCopies, feedId: Types.ObjectId): CopyEntry | undefined {
  const entry = copy.provenance.find((p) => p.feedId.equals(feedId));
  return entry && isActive(entry) ? entry : undefined;
}
