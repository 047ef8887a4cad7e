import type { Types } from 'mongoose';
import { notFound } from '../domain/access/index.js';
import { AuditTrail } from '../domain/audit/index.js';
import { loadReviewStages, ReviewService } from '../domain/review/index.js';
import type { GraphQLContext } from './context.js';
import { fromGlobalId } from './global-id.js';

/** Per-request audit trails and review services, created on first use. */
const trails = new WeakMap<GraphQLContext, AuditTrail>();
const reviews = new WeakMap<GraphQLContext, ReviewService>();

let stages: string[] | undefined;

export function auditTrailOf(context: GraphQLContext): AuditTrail {
  let trail = trails.get(context);
  if (!trail) {
    trail = new AuditTrail(context.models.AuditEntry, context.viewer, context.requestId, context.ip);
    trails.set(context, trail);
  }
  return trail;
}

/** The trail if this request created one (the audit plugin asks without creating). */
export function existingAuditTrail(context: GraphQLContext): AuditTrail | undefined {
  return trails.get(context);
}

export function reviewServiceOf(context: GraphQLContext): ReviewService {
  let service = reviews.get(context);
  if (!service) {
    stages ??= loadReviewStages();
    service = new ReviewService(context.models, stages);
    reviews.set(context, service);
  }
  return service;
}

const RESOURCE_TYPES = new Set(['Service', 'Policy', 'Event']);

/** The ObjectId of a resource's global id; NOT_FOUND for ids of other types. */
export function resourceIdOf(globalId: string, argument: string): Types.ObjectId {
  const { type, id } = fromGlobalId(globalId, argument);
  if (!RESOURCE_TYPES.has(type)) throw notFound('资源', 'Resource');
  return id;
}

/** The ObjectId of a global id of the given type; NOT_FOUND for other types. */
export function idOfType(globalId: string, expected: string, argument: string): Types.ObjectId {
  const { type, id } = fromGlobalId(globalId, argument);
  if (type !== expected) throw notFound();
  return id;
}
