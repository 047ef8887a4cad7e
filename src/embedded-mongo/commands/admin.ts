import { ObjectId, Timestamp, type Document } from 'bson';
import type { CommandContext, CommandHandler } from '../context.js';
import { ErrorCode, commandError } from '../errors.js';
import { MAX_BSON_SIZE, MAX_MESSAGE_SIZE } from '../wire.js';

/** The MongoDB release the server answers as; wire version 21 is MongoDB 7.0. */
export const ADVERTISED_VERSION = '7.0.14';
const MAX_WIRE_VERSION = 21;
const electionId = new ObjectId('7fffffff0000000000000001');

function hello(ctx: CommandContext): Document {
  const { address, setName } = ctx.info;
  const now = new Date();
  return {
    isWritablePrimary: true,
    ismaster: true,
    helloOk: true,
    secondary: false,
    setName,
    setVersion: 1,
    hosts: [address],
    primary: address,
    me: address,
    electionId,
    lastWrite: { opTime: { ts: new Timestamp({ t: Math.floor(now.getTime() / 1000), i: 1 }), t: 1 }, lastWriteDate: now },
    maxBsonObjectSize: MAX_BSON_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE,
    maxWriteBatchSize: 100_000,
    localTime: now,
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
}

const buildInfo: CommandHandler = () => ({
  version: ADVERTISED_VERSION,
  gitVersion: 'gongxiang-embedded',
  versionArray: ADVERTISED_VERSION.split('.').map(Number).concat(0),
  bits: 64,
  debug: false,
  maxBsonObjectSize: MAX_BSON_SIZE,
  storageEngines: ['embedded'],
  modules: [],
  javascriptEngine: 'none',
  ok: 1,
});

const PARAMETERS: Document = {
  featureCompatibilityVersion: { version: '7.0' },
  transactionLifetimeLimitSeconds: 60,
  maxBSONDepth: 100,
  authenticationMechanisms: [],
};

const getParameter: CommandHandler = (command) => {
  const all = command.getParameter === '*' || (typeof command.getParameter === 'object' && command.getParameter?.allParameters === true);
  const reply: Document = {};
  for (const [name, value] of Object.entries(PARAMETERS)) {
    if (all || name in command) reply[name] = value;
  }
  if (Object.keys(reply).length === 0) throw commandError(ErrorCode.InvalidOptions, '未知参数 / no option found to get');
  return { ...reply, ok: 1 };
};

const serverStatus: CommandHandler = (_command, ctx) => {
  const uptimeMillis = Date.now() - ctx.info.startedAt.getTime();
  return {
    host: ctx.info.address,
    version: ADVERTISED_VERSION,
    process: 'mongod',
    pid: process.pid,
    uptime: Math.floor(uptimeMillis / 1000),
    uptimeMillis,
    localTime: new Date(),
    connections: { current: ctx.info.connections.current, available: 10_000, totalCreated: ctx.info.connections.totalCreated },
    storageEngine: { name: 'embedded', supportsCommittedReads: true, persistent: true },
    mem: { resident: Math.round(process.memoryUsage().rss / 1_048_576) },
    ok: 1,
  };
};

const listDatabases: CommandHandler = (command, ctx) => {
  const names = ctx.catalog.databaseNames();
  const databases = names.map((name) => (command.nameOnly === true ? { name } : { name, sizeOnDisk: 0, empty: false }));
  return { databases, totalSize: 0, totalSizeMb: 0, ok: 1 };
};

const dbStats: CommandHandler = (_command, ctx) => {
  const collections = ctx.catalog.collections(ctx.db);
  return {
    db: ctx.db,
    collections: collections.length,
    views: 0,
    objects: collections.reduce((sum, collection) => sum + collection.docs.size, 0),
    indexes: collections.reduce((sum, collection) => sum + collection.indexes.size, 0),
    dataSize: 0,
    storageSize: 0,
    ok: 1,
  };
};

/** Credentials are refused with a clear message rather than silently ignored (see docs/embedded-mongo.md). */
const refuseAuthentication: CommandHandler = () => {
  throw commandError(
    ErrorCode.AuthenticationFailed,
    '嵌入式服务器不支持身份验证，请从 URI 中删除用户名和密码 / The embedded server does not support authentication: remove the credentials from the URI',
  );
};

const endSessions: CommandHandler = (command, ctx) => {
  const lsids: unknown = command.endSessions;
  if (Array.isArray(lsids)) ctx.sessions.end(lsids as Document[]);
  return { ok: 1 };
};

const commitTransaction: CommandHandler = (command, ctx) => {
  ctx.ops.push(...ctx.sessions.commit(command));
  return { ok: 1 };
};

const abortTransaction: CommandHandler = (command, ctx) => {
  ctx.sessions.abort(command);
  return { ok: 1 };
};

const ok: CommandHandler = () => ({ ok: 1 });

export const adminCommands: Record<string, CommandHandler> = {
  hello: (_command, ctx) => hello(ctx),
  isMaster: (_command, ctx) => hello(ctx),
  ismaster: (_command, ctx) => hello(ctx),
  ping: ok,
  buildInfo,
  buildinfo: buildInfo,
  getParameter,
  serverStatus,
  listDatabases,
  dbStats,
  saslStart: refuseAuthentication,
  authenticate: refuseAuthentication,
  endSessions,
  refreshSessions: ok,
  killSessions: ok,
  killAllSessions: ok,
  commitTransaction,
  abortTransaction,
  configureFailPoint: (command, ctx) => ctx.failPoints.configure(command),
  whatsmyuri: (_command, ctx) => ({ you: `connection ${ctx.connectionId}`, ok: 1 }),
  getLog: () => ({ totalLinesWritten: 0, log: [], ok: 1 }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
};
