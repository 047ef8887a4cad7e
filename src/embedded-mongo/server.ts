import net from 'node:net';
import type { Document } from 'bson';
import { Catalog } from './catalog.js';
import { commandNameOf, runCommand, type ContextWithoutTransaction } from './commands/index.js';
import type { CommandContext, ServerInfo } from './context.js';
import { CursorRegistry } from './cursors.js';
import { ErrorCode, MongoCommandError } from './errors.js';
import { FailPoints } from './failpoints.js';
import type { Durability, JournalOp } from './storage/types.js';
import { SessionRegistry } from './transactions.js';
import { isPlainObject } from './values.js';
import { TtlMonitor } from './ttl.js';
import { MAX_MESSAGE_SIZE, OP_QUERY, WireProtocolError, decodeMessage, encodeOpMsg, encodeOpReply } from './wire.js';

const CURSOR_EXPIRY_INTERVAL_MS = 60_000;

export interface ServerOptions {
  host: string;
  port: number;
  setName: string;
  /** Where acknowledged writes go; absent for an in-memory server. */
  durability?: Durability;
  ttlIntervalMs?: number;
}

/**
 * The embedded server's core: state (catalog, cursors, sessions), the TCP listener and the
 * request loop. Each connection handles its requests in order, as drivers expect.
 */
interface Connection {
  readonly id: number;
  /** The application name from the handshake, which fail points may target. */
  appName: string | undefined;
}

function applicationName(hello: Document): string | undefined {
  const client: unknown = hello.client;
  if (!isPlainObject(client) || !isPlainObject(client.application)) return undefined;
  return typeof client.application.name === 'string' ? client.application.name : undefined;
}

export class EmbeddedServer {
  readonly catalog = new Catalog();
  readonly cursors = new CursorRegistry();
  readonly sessions = new SessionRegistry(this.catalog);
  readonly failPoints = new FailPoints();
  private readonly listener = net.createServer((socket) => this.accept(socket));
  private readonly sockets = new Set<net.Socket>();
  private readonly ttl: TtlMonitor;
  private info: ServerInfo | undefined;
  private nextConnectionId = 1;
  private compacting: Promise<void> | undefined;
  private cursorExpiry: NodeJS.Timeout | undefined;

  constructor(private readonly options: ServerOptions) {
    this.ttl = new TtlMonitor(this.catalog, (ops) => this.persist(ops), options.ttlIntervalMs);
  }

  /** Replays durable state into the catalog; call before `listen`. */
  async recover(): Promise<void> {
    await this.options.durability?.recover((op) => this.catalog.apply(op));
  }

  async listen(): Promise<ServerInfo> {
    await new Promise<void>((resolve, reject) => {
      this.listener.once('error', reject);
      this.listener.listen(this.options.port, this.options.host, () => resolve());
    });
    const address = this.listener.address() as net.AddressInfo;
    const advertisedHost = this.options.host === '0.0.0.0' || this.options.host === '::' ? '127.0.0.1' : this.options.host;
    this.info = {
      address: `${advertisedHost}:${address.port}`,
      setName: this.options.setName,
      startedAt: new Date(),
      connections: { current: 0, totalCreated: 0 },
    };
    this.ttl.start();
    this.cursorExpiry = setInterval(() => {
      this.cursors.expireIdle();
      this.catalog.changes.expireIdle();
    }, CURSOR_EXPIRY_INTERVAL_MS);
    this.cursorExpiry.unref();
    return this.info;
  }

  async stop(): Promise<void> {
    this.ttl.stop();
    clearInterval(this.cursorExpiry);
    const closed = new Promise<void>((resolve) => this.listener.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    await this.compacting;
    await this.options.durability?.close();
  }

  /** Commits journal ops; resolves once they are durable (immediately in memory mode). */
  async persist(ops: readonly JournalOp[]): Promise<void> {
    const durability = this.options.durability;
    if (!durability || ops.length === 0) return;
    await durability.commit(ops);
    if (!this.compacting && durability.wantsCompaction()) {
      this.compacting = durability
        .compact(() => this.catalog.dump())
        .catch((error: unknown) => console.error('embedded-mongo: compaction failed', error))
        .finally(() => (this.compacting = undefined));
    }
  }

  /** Runs one command outside any connection (tools, benchmarks). */
  execute(command: Document, db: string, connectionId = 0, requestBytes = 0): Promise<Document> {
    const info = this.info;
    if (!info) throw new Error('服务器尚未启动 / server not listening');
    const base: ContextWithoutTransaction = {
      catalog: this.catalog,
      cursors: this.cursors,
      sessions: this.sessions,
      failPoints: this.failPoints,
      info,
      connectionId,
      db,
      requestBytes,
      ops: [],
    };
    return runCommand(command, base, (ctx: CommandContext) => this.persist(ctx.ops));
  }

  private accept(socket: net.Socket): void {
    socket.setNoDelay(true);
    this.sockets.add(socket);
    const info = this.info as ServerInfo;
    info.connections.current += 1;
    info.connections.totalCreated += 1;
    const connection: Connection = { id: this.nextConnectionId++, appName: undefined };
    const chunks: Buffer[] = [];
    let buffered = 0;
    let queue = Promise.resolve();
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      buffered += chunk.length;
      for (;;) {
        if (buffered < 4) return;
        const head = chunks[0] as Buffer;
        const first = head.length >= 4 ? head : Buffer.concat(chunks);
        const length = first.readInt32LE(0);
        if (length < 16 || length > MAX_MESSAGE_SIZE) {
          socket.destroy(new WireProtocolError(`无效的消息长度 / invalid message length ${length}`));
          return;
        }
        if (buffered < length) return;
        const all = chunks.length === 1 ? head : Buffer.concat(chunks, buffered);
        const message = all.subarray(0, length);
        const rest = all.subarray(length);
        chunks.length = 0;
        buffered = rest.length;
        if (rest.length > 0) chunks.push(rest);
        queue = queue.then(() => this.handle(socket, message, connection));
      }
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.sockets.delete(socket);
      info.connections.current -= 1;
    });
  }

  private async handle(socket: net.Socket, message: Buffer, connection: Connection): Promise<void> {
    let request;
    try {
      request = decodeMessage(message);
    } catch (error) {
      socket.destroy(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    const db =
      request.opCode === OP_QUERY
        ? (request.namespace ?? 'admin').split('.')[0] ?? 'admin'
        : typeof request.command.$db === 'string'
          ? request.command.$db
          : 'admin';
    const name = commandNameOf(request.command);
    if (name === 'hello' || name === 'isMaster' || name === 'ismaster') connection.appName ??= applicationName(request.command);
    const failure = this.failPoints.trigger(name, connection.appName);
    if (failure && failure.blockTimeMS > 0) await new Promise((resolve) => setTimeout(resolve, failure.blockTimeMS));
    if (failure?.closeConnection) {
      socket.destroy();
      return;
    }
    const reply = failure?.reply ?? (await this.execute(request.command, db, connection.id, message.length));
    if (request.moreToCome || socket.destroyed) return;
    const encode = request.opCode === OP_QUERY ? encodeOpReply : encodeOpMsg;
    let bytes: Buffer;
    try {
      bytes = encode(request.requestId, reply);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      bytes = encode(request.requestId, new MongoCommandError(ErrorCode.BSONObjectTooLarge, `无法编码回复 / cannot encode reply: ${message}`).toReply());
    }
    socket.write(bytes);
  }
}
