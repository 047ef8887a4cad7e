/** Parent value types of the feeds API (src/graphql/codegen maps the GraphQL types in schema/feeds.graphql to these). */
import type { FeedDoc, QuarantineDoc, SyncRunDoc } from '../db/models/ingest.js';
import type { FeedHealth, PreviewItem, PreviewResult } from '../domain/feeds/index.js';
import type { ConnectorDescription } from '../../connectors/index.js';

export type { FeedDoc, QuarantineDoc, SyncRunDoc, FeedHealth, PreviewItem, PreviewResult, ConnectorDescription };

export interface RegisterFeedResult {
  feed: FeedDoc;
  webhookSecret: string | null;
}

export interface RunFeedResult {
  started: boolean;
  reason: string | null;
  run: SyncRunDoc | null;
}
