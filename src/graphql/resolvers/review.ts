import type { ResourceDoc } from '../../db/index.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { toGlobalId } from '../global-id.js';
import { auditTrailOf, idOfType, resourceIdOf, reviewServiceOf } from '../access-context.js';
import type { ResolverModule } from './module.js';

const resolvers: Resolvers = {
  Query: {
    reviewStages: (_parent, _args, context) => [...reviewServiceOf(context).stages],
    reviewQueue: (_parent, args, context) => reviewServiceOf(context).queue(context.viewer, args),
    reviewHistory: (_parent, { resourceId }, context) => reviewServiceOf(context).history(context.viewer, resourceIdOf(resourceId, 'resourceId')),
    reviewComments: (_parent, { resourceId }, context) => reviewServiceOf(context).comments(context.viewer, resourceIdOf(resourceId, 'resourceId')),
    resourceVersions: (_parent, { resourceId }, context) => reviewServiceOf(context).versions(context.viewer, resourceIdOf(resourceId, 'resourceId')),
    resourceDiff: (_parent, { resourceId, fromVersion, toVersion }, context) =>
      reviewServiceOf(context).diff(context.viewer, resourceIdOf(resourceId, 'resourceId'), fromVersion, toVersion),
    reviewStageTimes: (_parent, _args, context) => reviewServiceOf(context).stageTimes(context.viewer),
  },
  Mutation: {
    submitResource: (_parent, { record }, context) => reviewServiceOf(context).submit(context.viewer, auditTrailOf(context), record),
    reviseResource: (_parent, { id, changes }, context) =>
      reviewServiceOf(context).revise(context.viewer, auditTrailOf(context), resourceIdOf(id, 'id'), changes),
    decideReview: (_parent, { resourceId, outcome, comment }, context) =>
      reviewServiceOf(context).decide(context.viewer, auditTrailOf(context), resourceIdOf(resourceId, 'resourceId'), outcome, comment),
    withdrawResource: async (_parent, { id }, context) =>
      (await reviewServiceOf(context).withdraw(context.viewer, auditTrailOf(context), resourceIdOf(id, 'id'))) as ResourceDoc,
    commentOnResource: (_parent, { resourceId, body, flag }, context) =>
      reviewServiceOf(context).comment(context.viewer, auditTrailOf(context), resourceIdOf(resourceId, 'resourceId'), body, flag ?? false),
    resolveFlag: (_parent, { commentId }, context) =>
      reviewServiceOf(context).resolveFlag(context.viewer, auditTrailOf(context), idOfType(commentId, 'ReviewComment', 'commentId')),
  },
  ReviewCase: {
    id: (item) => toGlobalId('ReviewCase', item._id),
    /** Through the viewer's loader: a case never shows a resource the viewer may not see. */
    resource: async (item, _args, { loaders }) => (await loaders.resourceById.load(item.resource)) as ResourceDoc | null,
    submittedBy: (item) => item.submitter.name,
    submittedByFeed: (item) => (item.submitter.feedId ? toGlobalId('Feed', item.submitter.feedId) : null),
    stageTimings: (item) =>
      item.stageLog.map((timing) => ({
        stage: timing.stage,
        enteredAt: timing.enteredAt,
        decidedAt: timing.decidedAt,
        seconds: timing.decidedAt ? (timing.decidedAt.getTime() - timing.enteredAt.getTime()) / 1000 : null,
      })),
    decisions: (item) => item.decisions.map((decision) => ({ ...decision, reviewer: decision.reviewerName })),
    changes: (item, _args, context) => reviewServiceOf(context).caseChanges(item),
  },
  ReviewComment: {
    id: (comment) => toGlobalId('ReviewComment', comment._id),
    author: (comment) => comment.authorName,
  },
};


export const reviewModule: ResolverModule = { resolvers };
