import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Types } from 'mongoose';
import type { IngestModels } from '../db/models/ingest.js';

type LeaseModels = Pick<IngestModels, 'Lease' | 'SyncRun'>;

/** This process's identity as a lease holder. */
export const INSTANCE_ID = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

export const DEFAULT_LEASE_MS = 60_000;

export interface LeaseRequest {
  feedId: Types.ObjectId;
  ttlMs?: number;
  holder?: string;
  /** A scheduled firing's slot key: taken at most once across all instances. */
  slot?: string;
  /** What the id names: `feed` (default) or another scheduled owner, e.g. `report` for report snapshots. */
  namespace?: string;
}

export interface HeldLease {
  key: string;
  holder: string;
  ttlMs: number;
}

function leaseKey(id: Types.ObjectId, namespace = 'feed'): string {
  return `${namespace}:${id.toHexString()}`;
}

function isDuplicateKey(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}

/**
 * Takes the feed's lease if it is free or expired (one findOneAndUpdate with the expiry in
 * its filter; a held lease makes the upsert collide on `_id`). When it takes over an expired
 * lease whose run is still marked RUNNING, that run's instance died: the run is marked FAILED.
 */
export async function acquireLease(models: LeaseModels, request: LeaseRequest): Promise<HeldLease | null> {
  const key = leaseKey(request.feedId, request.namespace);
  const holder = request.holder ?? INSTANCE_ID;
  const ttlMs = request.ttlMs ?? DEFAULT_LEASE_MS;
  const now = new Date();
  const filter: Record<string, unknown> = { _id: key, expiresAt: { $lte: now } };
  if (request.slot) filter.lastSlot = { $ne: request.slot };
  const set: Record<string, unknown> = { holder, run: null, expiresAt: new Date(now.getTime() + ttlMs) };
  if (request.slot) set.lastSlot = request.slot;
  try {
    const previous = await models.Lease.findOneAndUpdate(filter, { $set: set }, { upsert: true, new: false }).lean();
    if (previous?.run) await failAbandonedRun(models, previous.run, previous.holder ?? 'unknown');
    return { key, holder, ttlMs };
  } catch (error) {
    if (isDuplicateKey(error)) return null;
    throw error;
  }
}

/** Records which run holds the lease, so a successor can fail it if this instance dies. */
export async function bindLeaseToRun(models: LeaseModels, lease: HeldLease, runId: Types.ObjectId): Promise<boolean> {
  const result = await models.Lease.updateOne({ _id: lease.key, holder: lease.holder }, { $set: { run: runId } });
  return result.matchedCount === 1;
}

/**
 * Extends the lease; false means another instance took it over and the run must stop. A
 * renewal that arrives late (a slow store) still succeeds while nobody else holds the lease.
 */
export async function renewLease(models: LeaseModels, lease: HeldLease): Promise<boolean> {
  const result = await models.Lease.updateOne(
    { _id: lease.key, holder: lease.holder },
    { $set: { expiresAt: new Date(Date.now() + lease.ttlMs) } },
  );
  return result.matchedCount === 1;
}

/** Frees the lease at once (the document stays, keeping `lastSlot`). */
export async function releaseLease(models: LeaseModels, lease: HeldLease): Promise<void> {
  await models.Lease.updateOne({ _id: lease.key, holder: lease.holder }, { $set: { expiresAt: new Date(0), run: null } });
}

async function failAbandonedRun(models: LeaseModels, runId: Types.ObjectId, holder: string): Promise<void> {
  await models.SyncRun.updateOne(
    { _id: runId, status: 'RUNNING' },
    {
      $set: {
        status: 'FAILED',
        finishedAt: new Date(),
        error: {
          class: 'INTERNAL',
          message: `运行实例已失联，租约过期 / The instance running this (${holder}) stopped renewing its lease`,
          origin: 'lease',
        },
      },
    },
  );
}

/**
 * Fails RUNNING runs whose lease has expired: the sweep a scheduler does at start and on
 * each tick, so a crashed run is reported even when no one runs that feed again.
 */
export async function reapAbandonedRuns(models: LeaseModels): Promise<number> {
  const expired = await models.Lease.find({ run: { $ne: null }, expiresAt: { $lte: new Date() } }).lean();
  let reaped = 0;
  for (const lease of expired) {
    const taken = await models.Lease.updateOne(
      { _id: lease._id, run: lease.run, expiresAt: { $lte: new Date() } },
      { $set: { run: null } },
    );
    if (taken.modifiedCount === 1 && lease.run) {
      await failAbandonedRun(models, lease.run, lease.holder ?? 'unknown');
      reaped += 1;
    }
  }
  return reaped;
}
