import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import { Types } from 'mongoose';
import { configJsonSchema, describeConnectors } from '../../../connectors/index.js';
import type { FeedDoc, SyncRunDoc } from '../../db/models/ingest.js';
import {
  assertDepartmentInScope,
  assertFeedInScope,
  FeedError,
  feedHealth,
  FeedService,
  feedScope,
  mayAdminister,
  type FeedScope,
  type RegisterFeedInput,
  type UpdateFeedInput,
} from '../../domain/feeds/index.js';
import { confirmWithdrawal, ingestRuntimeFor, redactConfig, SyncError, WEBHOOK_CONNECTOR_ID, webhookConnector, type RunOutcome } from '../../ingest/index.js';
import { authorize, feedTarget, isAllowed } from '../../domain/access/index.js';
import type { GraphQLContext } from '../context.js';
import type { RunFeedResult } from '../feeds-mappers.js';
import { fromGlobalId, toGlobalId } from '../global-id.js';
import type { ResolverModule } from './module.js';

/** Per-request state of the feeds API: the service and DataLoaders for nested feed/run lookups. */
interface FeedsRequest {
  service: FeedService;
  feedById: DataLoader<string, FeedDoc | null>;
  runById: DataLoader<string, SyncRunDoc | null>;
}

const requests = new WeakMap<GraphQLContext, FeedsRequest>();

function feedsOf(context: GraphQLContext): FeedsRequest {
  let request = requests.get(context);
  if (!request) {
    const runtime = ingestRuntimeFor(context.models.Resource.db);
    const { Feed, SyncRun } = runtime.models;
    const byId = <T extends { _id: Types.ObjectId }>(docs: T[], ids: readonly string[]): Array<T | null> => {
      const found = new Map(docs.map((doc) => [doc._id.toHexString(), doc]));
      return ids.map((id) => found.get(id) ?? null);
    };
    request = {
      service: new FeedService({ runtime, Department: context.models.Department }),
      feedById: new DataLoader(async (ids) => byId(await Feed.find({ _id: { $in: ids } }).lean(), ids)),
      runById: new DataLoader(async (ids) => byId(await SyncRun.find({ _id: { $in: ids } }).lean(), ids)),
    };
    requests.set(context, request);
  }
  return request;
}

function asGraphQLError(error: unknown): unknown {
  if (error instanceof FeedError) {
    // A conflict (name taken, feed paused) is the caller's to fix: BAD_USER_INPUT, with the reason.
    const extensions = error.code === 'CONFLICT' ? { code: 'BAD_USER_INPUT', reason: 'CONFLICT' } : { code: error.code };
    return new GraphQLError(error.message, { extensions });
  }
  if (error instanceof SyncError && error.errorClass === 'CONFIG') {
    return new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return error;
}

/** Runs a resolver body, turning domain errors into GraphQL errors with codes. */
async function handled<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw asGraphQLError(error);
  }
}

function decodeId(globalId: string, type: string, argument: string): string {
  const decoded = fromGlobalId(globalId, argument);
  if (decoded.type !== type) throw new FeedError('NOT_FOUND', `${type} 不存在 / ${type} not found: ${globalId}`);
  return decoded.id.toHexString();
}

/** A feed by global id, within the viewer's scope. */
async function scopedFeed(context: GraphQLContext, globalId: string): Promise<{ feed: FeedDoc; scope: FeedScope }> {
  const scope = feedScope(context.viewer);
  const feed = await feedsOf(context).service.get(decodeId(globalId, 'Feed', 'id'));
  assertFeedInScope(scope, feed);
  return { feed, scope };
}

/**
 * Reading feeds and runs (issue 5): a feed's department admins, org admins of a unit in its
 * orgScope, and platform admins, as the access policy says; NOT_FOUND for anyone else.
 */
async function mayRead(context: GraphQLContext, feed: FeedDoc): Promise<boolean> {
  return isAllowed(context.viewer, 'feed.read', await feedTarget(context.models, feed));
}

async function readableFeed(context: GraphQLContext, feed: FeedDoc): Promise<FeedDoc> {
  authorize(context.viewer, 'feed.read');
  if (!(await mayRead(context, feed))) throw new FeedError('NOT_FOUND', `数据源不存在 / Feed not found: ${feed._id.toHexString()}`);
  return feed;
}

/** GraphQL inputs carry null for omitted fields; the domain treats them as unset. */
function withoutNulls<T extends object>(input: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== null)) as { [K in keyof T]: Exclude<T[K], null> };
}

function runResult(outcome: RunOutcome): RunFeedResult {
  return outcome.started ? { started: true, reason: null, run: outcome.run } : { started: false, reason: outcome.reason, run: null };
}

export const feedsModule: ResolverModule = {
  resolvers: {
    Query: {
      connectors: () => [
        ...describeConnectors(),
        { id: webhookConnector.id, title: webhookConnector.title, jsonSchema: configJsonSchema(webhookConnector) },
      ],
      feeds: (_parent, args, context) =>
        handled(async () => {
          authorize(context.viewer, 'feed.read');
          const feeds = await feedsOf(context).service.list({ department: args.department ?? null, status: args.status ?? null });
          const readable = await Promise.all(feeds.map((feed) => mayRead(context, feed)));
          return feeds.filter((_feed, index) => readable[index]);
        }),
      feed: (_parent, { id }, context) => handled(async () => readableFeed(context, await feedsOf(context).service.get(decodeId(id, 'Feed', 'id')))),
      syncRun: (_parent, { id }, context) =>
        handled(async () => {
          authorize(context.viewer, 'feed.read');
          const run = await feedsOf(context).service.syncRun(decodeId(id, 'SyncRun', 'id'));
          await readableFeed(context, await feedsOf(context).service.get(run.feed.toHexString()));
          return run;
        }),
      previewFeed: (_parent, { feedId, draft, first }, context) =>
        handled(async () => {
          const scope = feedScope(context.viewer);
          const service = feedsOf(context).service;
          if (feedId) {
            const { feed } = await scopedFeed(context, feedId);
            return service.preview({ feedId: feed._id.toHexString() }, first ?? 20);
          }
          if (!draft) throw new FeedError('BAD_USER_INPUT', '需要 feedId 或 draft / Give feedId or draft');
          assertDepartmentInScope(scope, draft.department.trim().toLowerCase());
          return service.preview({ draft: withoutNulls(draft) as RegisterFeedInput }, first ?? 20);
        }),
    },
    Mutation: {
      registerFeed: (_parent, { input }, context) =>
        handled(async () => {
          const scope = feedScope(context.viewer);
          assertDepartmentInScope(scope, input.department.trim().toLowerCase());
          const owner = context.viewer.kind === 'user' ? context.viewer.username : null;
          return feedsOf(context).service.register({ ...(withoutNulls(input) as RegisterFeedInput), owner });
        }),
      updateFeed: (_parent, { id, input }, context) =>
        handled(async () => {
          const { feed, scope } = await scopedFeed(context, id);
          if (input.department) assertDepartmentInScope(scope, input.department.trim().toLowerCase());
          return feedsOf(context).service.update(feed._id.toHexString(), withoutNulls(input) as UpdateFeedInput);
        }),
      pauseFeed: (_parent, { id }, context) =>
        handled(async () => feedsOf(context).service.pause((await scopedFeed(context, id)).feed._id.toHexString())),
      resumeFeed: (_parent, { id }, context) =>
        handled(async () => feedsOf(context).service.resume((await scopedFeed(context, id)).feed._id.toHexString())),
      deleteFeed: (_parent, { id }, context) =>
        handled(async () => feedsOf(context).service.remove((await scopedFeed(context, id)).feed._id.toHexString())),
      runFeed: (_parent, { id }, context) =>
        handled(async () => runResult(await feedsOf(context).service.run((await scopedFeed(context, id)).feed._id.toHexString()))),
      confirmWithdrawal: (_parent, { runId }, context) =>
        handled(async () => {
          const scope = feedScope(context.viewer);
          const run = await feedsOf(context).service.syncRun(decodeId(runId, 'SyncRun', 'runId'));
          assertFeedInScope(scope, await feedsOf(context).service.get(run.feed.toHexString()));
          const actor = context.viewer.kind === 'user' ? context.viewer.username : null;
          return confirmWithdrawal(ingestRuntimeFor(context.models.Resource.db), run._id, actor);
        }),
      requeueQuarantined: (_parent, { ids }, context) =>
        handled(async () => {
          const scope = feedScope(context.viewer);
          const runtime = ingestRuntimeFor(context.models.Resource.db);
          const entryIds = ids.map((id) => decodeId(id, 'QuarantineEntry', 'ids'));
          const entries = await runtime.models.Quarantine.find({ _id: { $in: entryIds } }, { feed: 1 }).lean();
          for (const entry of entries) assertFeedInScope(scope, await feedsOf(context).service.get(entry.feed.toHexString()));
          return (await feedsOf(context).service.requeue(entries.map((entry) => entry._id.toHexString()))).map(runResult);
        }),
      rotateWebhookSecret: (_parent, { id }, context) =>
        handled(async () => {
          const { feed } = await scopedFeed(context, id);
          if (feed.connector !== WEBHOOK_CONNECTOR_ID) throw new FeedError('BAD_USER_INPUT', '不是推送型数据源 / Not a webhook feed');
          return feedsOf(context).service.rotateWebhookSecret(feed._id.toHexString());
        }),
    },
    Feed: {
      id: (feed) => toGlobalId('Feed', feed._id),
      config: (feed) => redactConfig(feed.config),
      hasWebhookSecret: (feed) => Boolean(feed.webhookSecret),
      lastRun: (feed, _args, context) => (feed.lastRun.runId ? feedsOf(context).runById.load(feed.lastRun.runId.toHexString()) : null),
      health: (feed) => feedHealth(feed),
      syncRuns: (feed, { first }, context) => handled(() => feedsOf(context).service.runs(feed._id.toHexString(), first)),
      quarantine: (feed, { status, first }, context) =>
        handled(async () => {
          authorize(context.viewer, 'quarantine.read', await feedTarget(context.models, feed));
          return feedsOf(context).service.quarantine(feed._id.toHexString(), status ?? null, first);
        }),
    },
    ConnectorInfo: {
      configSchema: (connector) => connector.jsonSchema,
    },
    SyncRun: {
      id: (run) => toGlobalId('SyncRun', run._id),
      feed: (run, _args, context) => feedsOf(context).feedById.load(run.feed.toHexString()),
      durationMs: (run) => (run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null),
    },
    QuarantineEntry: {
      id: (entry) => toGlobalId('QuarantineEntry', entry._id),
      feed: (entry, _args, context) => feedsOf(context).feedById.load(entry.feed.toHexString()),
    },
  },
  nodeTypes: {
    Feed: async (id, context) => {
      if (context.viewer.kind !== 'user') return null;
      const feed = await feedsOf(context).feedById.load(id.toHexString());
      if (!feed || feed.status === 'DELETED') return null;
      return (await mayRead(context, feed)) ? feed : null;
    },
  },
};
