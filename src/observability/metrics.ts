import type { Connection } from 'mongoose';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const DB_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

/** The hub's Prometheus metrics, on a registry of their own (one per app, so tests do not collide). */
export interface HubMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  graphqlRequests: Counter<'operation' | 'type' | 'outcome'>;
  graphqlDuration: Histogram<'operation' | 'type'>;
  graphqlErrors: Counter<'operation' | 'code'>;
  rateLimited: Counter<'scope'>;
  dbCommandDuration: Histogram<'command' | 'outcome'>;
}

export function createMetrics(connection: Connection): HubMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gx_' });
  const metrics: HubMetrics = {
    registry,
    httpRequests: new Counter({ name: 'gx_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['method', 'route', 'status'], registers: [registry] }),
    graphqlRequests: new Counter({
      name: 'gx_graphql_requests_total',
      help: 'GraphQL operations by name, type and outcome (ok, error)',
      labelNames: ['operation', 'type', 'outcome'],
      registers: [registry],
    }),
    graphqlDuration: new Histogram({
      name: 'gx_graphql_request_duration_seconds',
      help: 'GraphQL request latency by operation',
      labelNames: ['operation', 'type'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    graphqlErrors: new Counter({ name: 'gx_graphql_errors_total', help: 'GraphQL errors by operation and code', labelNames: ['operation', 'code'], registers: [registry] }),
    rateLimited: new Counter({ name: 'gx_rate_limited_total', help: 'Requests refused with 429, by bucket scope', labelNames: ['scope'], registers: [registry] }),
    dbCommandDuration: new Histogram({
      name: 'gx_db_command_duration_seconds',
      help: 'MongoDB command latency (driver command monitoring)',
      labelNames: ['command', 'outcome'],
      buckets: DB_BUCKETS,
      registers: [registry],
    }),
  };
  registerStoreGauges(registry, connection);
  return metrics;
}

interface CountByKey {
  _id: string | null;
  n: number;
}

/** Ingest figures read from the store at scrape time: they cover every instance sharing it. */
function registerStoreGauges(registry: Registry, connection: Connection): void {
  const collection = (name: string) => {
    if (!connection.db) throw new Error('store connection is not open');
    return connection.db.collection(name);
  };
  new Gauge({
    name: 'gx_sync_runs',
    help: 'Sync runs in the store by status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await collection('syncRuns').aggregate<CountByKey>([{ $group: { _id: '$status', n: { $sum: 1 } } }]).toArray();
      for (const row of rows) this.set({ status: row._id ?? 'UNKNOWN' }, row.n);
    },
  });
  new Gauge({
    name: 'gx_ingest_records',
    help: 'Records handled by sync runs, by outcome (created, updated, unchanged, withdrawn, quarantined)',
    labelNames: ['outcome'],
    registers: [registry],
    async collect() {
      this.reset();
      const outcomes = ['created', 'updated', 'unchanged', 'withdrawn', 'quarantined'] as const;
      const group = Object.fromEntries(outcomes.map((outcome) => [outcome, { $sum: `$stats.${outcome}` }]));
      const [totals] = await collection('syncRuns').aggregate<Record<string, number>>([{ $group: { _id: null, ...group } }]).toArray();
      for (const outcome of outcomes) this.set({ outcome }, totals?.[outcome] ?? 0);
    },
  });
  new Gauge({
    name: 'gx_quarantine_open',
    help: 'Quarantined records awaiting a requeue or a fix',
    registers: [registry],
    async collect() {
      this.set(await collection('quarantine').countDocuments({ status: 'OPEN' }));
    },
  });
  new Gauge({
    name: 'gx_lease_holders',
    help: 'Feed leases currently held (not expired), by holder instance',
    labelNames: ['holder'],
    registers: [registry],
    async collect() {
      this.reset();
      const rows = await collection('locks')
        .aggregate<CountByKey>([{ $match: { holder: { $ne: null }, expiresAt: { $gt: new Date() } } }, { $group: { _id: '$holder', n: { $sum: 1 } } }])
        .toArray();
      for (const row of rows) this.set({ holder: row._id ?? 'unknown' }, row.n);
    },
  });
}
