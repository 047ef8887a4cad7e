import type { Connection, Types } from 'mongoose';
import { connectStore } from '../../src/db/connection.js';
import { resourceModels } from '../../src/db/models/resource.js';
import { orgUnitModel } from '../../src/db/models/org-unit.js';
import { departmentModel } from '../../src/db/models/department.js';
import type { FeedDoc } from '../../src/db/models/feed.js';
import { createIngestRuntime, ensureIngestIndexes, type IngestRuntime } from '../../src/ingest/index.js';
import { uniqueDbName, uriForDb } from '../support/mongo.js';
import { servicesMapping } from './services-mapping.js';

/** A store of its own per test file, the sync runtime on it, and a small org tree. */

export const silentLog = { info() {}, warn() {}, error() {} };

export interface Harness {
  connection: Connection;
  runtime: IngestRuntime;
  uri: string;
  /** Write commands (insert/update/delete/findAndModify) sent to `resources` since the last reset. */
  resourceWrites(): Array<{ command: string; ops: number }>;
  resetCounters(): void;
  close(): Promise<void>;
}

const WRITE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify']);

export async function openHarness(prefix: string, options: { leaseTtlMs?: number; batchSize?: number } = {}): Promise<Harness> {
  const uri = uriForDb(uniqueDbName(prefix));
  const connection = await connectStore(uri, { monitorCommands: true });
  const runtime = createIngestRuntime(connection, {
    log: silentLog,
    fetch: { allowlist: ['127.0.0.1'], retries: 0, timeoutMs: 5_000 },
    ...options,
  });
  await ensureIngestIndexes(runtime.models);
  await runtime.models.Resource.createCollection().catch(() => undefined);
  await runtime.models.Resource.createIndexes();
  await seedOrgTree(connection);
  let writes: Array<{ command: string; ops: number }> = [];
  connection.getClient().on('commandStarted', (event) => {
    const collection = event.command[event.commandName];
    if (!WRITE_COMMANDS.has(event.commandName) || collection !== 'resources') return;
    const ops = (event.command.documents ?? event.command.updates ?? event.command.deletes ?? [1]) as unknown[];
    writes.push({ command: event.commandName, ops: ops.length });
  });
  return {
    connection,
    runtime,
    uri,
    resourceWrites: () => writes,
    resetCounters: () => {
      writes = [];
    },
    close: async () => {
      await connection.dropDatabase().catch(() => undefined);
      await connection.close();
    },
  };
}

/** 杭州市 → 上城区 → 湖滨街道 → 东坡路社区, plus a second district outside most scopes. */
export async function seedOrgTree(connection: Connection): Promise<void> {
  const OrgUnit = orgUnitModel(connection);
  const Department = departmentModel(connection);
  await Department.create({ code: 'health', name: { zh: '卫健', en: 'Health' } });
  const city = await OrgUnit.create({ code: '330100', name: '杭州市', level: 1, kind: 'CITY', parentId: null, ancestors: [] });
  const district = await OrgUnit.create({ code: '330102', name: '上城区', level: 2, kind: 'DISTRICT', parentId: city._id, ancestors: [city._id] });
  const street = await OrgUnit.create({ code: '330102001', name: '湖滨街道', level: 3, kind: 'STREET', parentId: district._id, ancestors: [city._id, district._id] });
  await OrgUnit.create({ code: '330102001001', name: '东坡路社区', level: 4, kind: 'COMMUNITY', parentId: street._id, ancestors: [city._id, district._id, street._id] });
  await OrgUnit.create({ code: '330105', name: '拱墅区', level: 2, kind: 'DISTRICT', parentId: city._id, ancestors: [city._id] });
}

export { servicesMapping };

export interface ServiceRow {
  code: string;
  title: string;
  materials?: string;
  days?: string;
  org?: string;
  secrecy?: string;
}

export function servicesCsv(rows: ServiceRow[]): string {
  const quote = (value: string): string => `"${value.replace(/"/g, '""')}"`;
  const lines = rows.map((row) =>
    [row.code, row.title, row.materials ?? '身份证；户口簿', row.days ?? '5', row.org ?? '330102', row.secrecy ?? '公开'].map(quote).join(','),
  );
  return `\uFEFF编码,名称,材料,时限,区划,密级\n${lines.join('\n')}\n`;
}

export function sampleRows(count: number, prefix = '00'): ServiceRow[] {
  return Array.from({ length: count }, (_, i) => ({
    code: `${prefix}${String(i + 1).padStart(4, '0')}`,
    title: `预防接种服务${i + 1}号`,
  }));
}

export async function createCsvFeed(
  runtime: IngestRuntime,
  url: string,
  overrides: Partial<Pick<FeedDoc, 'name' | 'reviewPolicy' | 'withdrawalGuard' | 'orgScope' | 'runTimeoutMs'>> = {},
): Promise<Types.ObjectId> {
  const feed = await runtime.models.Feed.create({
    name: overrides.name ?? `卫健服务事项 ${Math.random().toString(36).slice(2, 8)}`,
    department: 'health',
    connector: 'csv',
    config: { url, idPath: '编码' },
    mapping: servicesMapping,
    targetKind: 'SERVICE',
    reviewPolicy: overrides.reviewPolicy ?? 'AUTO_PUBLISH',
    ...overrides,
  });
  return feed._id;
}

export function resourcesOf(connection: Connection) {
  return resourceModels(connection).Resource;
}
