import { gql } from '../api/client';
import type * as Schema from '../api/schema';

/**
 * The feeds part of the GraphQL API, as the feed, run and quarantine pages use it: each shape is
 * the selection below picked from the schema's generated types (../api/schema.ts).
 */

export type { FeedStatus, ResourceKind, SyncRunStatus, SyncStats, FeedHealth } from '../api/schema';

/** JSON fields the API documents as objects are read as such. */
type JsonObject = Record<string, unknown>;

export type PreviewItem = Omit<Schema.FeedPreviewItem, 'record'> & { record: JsonObject | null };

export type SyncRun = Pick<Schema.SyncRun, 'id' | 'trigger' | 'attempt' | 'startedAt' | 'finishedAt' | 'durationMs' | 'status' | 'stats' | 'error' | 'complete'> & {
  held: Pick<Schema.HeldWithdrawal, 'activeBefore' | 'toWithdraw' | 'confirmedAt'> | null;
};

export type FeedSummary = Pick<Schema.Feed, 'id' | 'name' | 'department' | 'connector' | 'status' | 'targetKind' | 'reviewPolicy' | 'syncMode' | 'schedule' | 'health' | 'updatedAt'> & {
  lastRun: SyncRun | null;
};

export type Feed = FeedSummary &
  Pick<Schema.Feed, 'cursorField' | 'orgScope' | 'owner' | 'withdrawalGuard' | 'runTimeoutMs' | 'createdAt'> & { config: JsonObject; mapping: JsonObject | null };

export type ConnectorInfo = Schema.ConnectorInfo;

export type QuarantineEntry = Pick<Schema.QuarantineEntry, 'id' | 'sourceId' | 'code' | 'reasons' | 'raw' | 'status' | 'firstSeenAt' | 'lastSeenAt'> & {
  feed: Pick<Schema.Feed, 'id' | 'name'> | null;
};

/** What the editor sends to registerFeed / updateFeed: every field set (the form holds them all). */
export interface FeedDraft {
  name: string;
  department: string;
  connector: string;
  config: JsonObject;
  mapping: JsonObject | null;
  targetKind: Schema.ResourceKind;
  schedule: Schema.FeedSchedule;
  syncMode: Schema.SyncMode;
  orgScope: string[];
  reviewPolicy: Schema.ReviewPolicy;
}

const STATS = 'fetched created updated unchanged withdrawn quarantined';
export const RUN_FIELDS = `id trigger attempt startedAt finishedAt durationMs status complete stats { ${STATS} } error { class message origin } held { activeBefore toWithdraw confirmedAt }`;
const SUMMARY_FIELDS = `id name department connector status targetKind reviewPolicy syncMode schedule { cron timezone } updatedAt
  health { lastSuccessAt lagSeconds failureStreak lastRunStatus healthy } lastRun { ${RUN_FIELDS} }`;
const FEED_FIELDS = `${SUMMARY_FIELDS} config mapping cursorField orgScope owner withdrawalGuard runTimeoutMs createdAt`;
const QUARANTINE_FIELDS = 'id sourceId code reasons raw status firstSeenAt lastSeenAt feed { id name }';

export const feedKeys = {
  all: ['feeds'] as const,
  list: () => ['feeds', 'list'] as const,
  one: (id: string) => ['feeds', 'one', id] as const,
  runs: (id: string) => ['feeds', 'runs', id] as const,
  quarantine: (id: string) => ['feeds', 'quarantine', id] as const,
};

export async function listFeeds(): Promise<FeedSummary[]> {
  return (await gql<{ feeds: FeedSummary[] }>(`query ConsoleFeeds { feeds { ${SUMMARY_FIELDS} } }`)).feeds;
}

export async function getFeed(id: string): Promise<Feed | null> {
  return (await gql<{ feed: Feed | null }, { id: string }>(`query ConsoleFeed($id: ID!) { feed(id: $id) { ${FEED_FIELDS} } }`, { id })).feed;
}

export async function feedRuns(id: string, first = 30): Promise<{ id: string; name: string; runs: SyncRun[] } | null> {
  const { feed } = await gql<{ feed: { id: string; name: string; syncRuns: SyncRun[] } | null }, { id: string; first: number }>(
    `query ConsoleFeedRuns($id: ID!, $first: Int) { feed(id: $id) { id name syncRuns(first: $first) { ${RUN_FIELDS} } } }`,
    { id, first },
  );
  return feed ? { id: feed.id, name: feed.name, runs: feed.syncRuns } : null;
}

export async function feedQuarantine(id: string, status: QuarantineEntry['status'] = 'OPEN'): Promise<QuarantineEntry[]> {
  const { feed } = await gql<{ feed: { quarantine: QuarantineEntry[] } | null }, { id: string; status: string }>(
    `query ConsoleQuarantine($id: ID!, $status: QuarantineStatus) { feed(id: $id) { quarantine(status: $status, first: 100) { ${QUARANTINE_FIELDS} } } }`,
    { id, status },
  );
  return feed?.quarantine ?? [];
}

export async function listConnectors(): Promise<ConnectorInfo[]> {
  return (await gql<{ connectors: ConnectorInfo[] }>('query ConsoleConnectors { connectors { id title { zh en } configSchema } }')).connectors;
}

export async function listDepartments(): Promise<{ code: string; name: { zh: string; en: string } }[]> {
  return (await gql<{ departments: { code: string; name: { zh: string; en: string } }[] }>('query ConsoleDepartments { departments { code name { zh en } } }')).departments;
}

export async function previewFeed(input: { feedId?: string; draft?: FeedDraft }): Promise<{ fetched: number; items: PreviewItem[] }> {
  const { previewFeed: preview } = await gql<{ previewFeed: { fetched: number; items: PreviewItem[] } }, { feedId?: string; draft?: FeedDraft }>(
    'query ConsolePreviewFeed($feedId: ID, $draft: RegisterFeedInput) { previewFeed(feedId: $feedId, draft: $draft, first: 20) { fetched items { sourceId ok record code reasons } } }',
    input,
  );
  return preview;
}

export async function registerFeed(input: FeedDraft): Promise<{ feed: { id: string }; webhookSecret: string | null }> {
  return (
    await gql<{ registerFeed: { feed: { id: string }; webhookSecret: string | null } }, { input: FeedDraft }>(
      'mutation ConsoleRegisterFeed($input: RegisterFeedInput!) { registerFeed(input: $input) { feed { id } webhookSecret } }',
      { input },
    )
  ).registerFeed;
}

export async function updateFeed(id: string, input: FeedDraft): Promise<void> {
  const { connector: _connector, ...changes } = input;
  await gql<unknown, { id: string; input: Omit<FeedDraft, 'connector'> }>('mutation ConsoleUpdateFeed($id: ID!, $input: UpdateFeedInput!) { updateFeed(id: $id, input: $input) { id } }', {
    id,
    input: changes,
  });
}

export async function setFeedPaused(id: string, paused: boolean): Promise<void> {
  await gql<unknown, { id: string }>(paused ? 'mutation ConsolePause($id: ID!) { pauseFeed(id: $id) { id status } }' : 'mutation ConsoleResume($id: ID!) { resumeFeed(id: $id) { id status } }', { id });
}

export interface RunOutcome {
  started: boolean;
  reason: string | null;
  run: SyncRun | null;
}

export async function runFeedNow(id: string): Promise<RunOutcome> {
  return (await gql<{ runFeed: RunOutcome }, { id: string }>(`mutation ConsoleRunFeed($id: ID!) { runFeed(id: $id) { started reason run { ${RUN_FIELDS} } } }`, { id })).runFeed;
}

export async function requeueQuarantined(ids: string[]): Promise<RunOutcome[]> {
  return (await gql<{ requeueQuarantined: RunOutcome[] }, { ids: string[] }>(`mutation ConsoleRequeue($ids: [ID!]!) { requeueQuarantined(ids: $ids) { started reason run { ${RUN_FIELDS} } } }`, { ids })).requeueQuarantined;
}
