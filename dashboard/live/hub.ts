import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import {
  MAX_WATCHES_PER_SOCKET,
  roomKey,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type ServersPayload,
  type UpstreamStatus,
  type ViewKey,
  type WatchAck,
} from '../../common/dashboard/events.js';
import type { Logger } from '../../common/logger.js';
import type { PrometheusClient } from '../../common/prometheus/index.js';
import type { Authenticator } from '../auth/gate.js';
import type { DashboardMetrics } from '../metrics.js';
import { OverviewRoom } from './overview-room.js';
import { ServerRoom } from './server-room.js';

/** settle handles what Socket.IO's join/leave return: nothing with the in-memory adapter, a promise with others. */
function settle(r: void | Promise<void>): void {
  if (r) r.catch(() => undefined);
}

/** Most `watch` calls one socket may make per minute (each new view costs its opening queries). */
export const MAX_WATCH_CALLS_PER_MINUTE = 60;
/** Packets a connection may have waiting unsent; a client further behind is disconnected rather than buffered for. */
export const MAX_QUEUED_PACKETS = 64;
/** Longest instance name accepted in a view. */
const MAX_INSTANCE_LENGTH = 256;

interface SocketData {
  watches: Set<string>;
  watchCalls: number[];
}
type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** LiveHubOptions wires the hub to its sources. */
export interface LiveHubOptions {
  auth: Authenticator;
  stepSeconds: number;
  maxViews: number;
  prometheus: PrometheusClient;
  metrics: DashboardMetrics;
  logger: Logger;
  buildServers: () => Promise<ServersPayload>;
  status: () => UpstreamStatus;
}

interface RoomEntry {
  room: ServerRoom | OverviewRoom;
  members: Set<string>;
}

/** parseView validates a client's view key; returns an error message when it is not one. */
export function parseView(v: unknown): ViewKey | string {
  if (!v || typeof v !== 'object') return 'expected {view: "overview"} or {view: "server", instance}';
  const o = v as { view?: unknown; instance?: unknown };
  if (o.view === 'overview') return { view: 'overview' };
  if (o.view !== 'server') return `unknown view ${JSON.stringify(o.view)}; expected "overview" or "server"`;
  if (
    typeof o.instance !== 'string' ||
    o.instance.length === 0 ||
    o.instance.length > MAX_INSTANCE_LENGTH ||
    [...o.instance].some((c) => c.charCodeAt(0) < 0x20)
  ) {
    return `instance: expected a Prometheus instance label of 1 to ${MAX_INSTANCE_LENGTH} printable characters`;
  }
  return { view: 'server', instance: o.instance };
}

/**
 * LiveHub is the dashboard's Socket.IO server: it authenticates the handshake, keeps one room per
 * watched view (polled once per interval whatever its number of watchers, freed when the last leaves),
 * answers `watch`/`unwatch`, and pushes `history`, `delta`, `servers` and `status`. Deltas and lists go
 * out as volatile broadcasts: encoded once, and skipped for a socket whose connection is still busy, so
 * a slow client never holds back the others (it sees a gap in `seq` and watches again).
 */
export class LiveHub {
  readonly io: LiveServer;
  private readonly rooms = new Map<string, RoomEntry>();

  constructor(private readonly o: LiveHubOptions) {
    this.io = new Server({ path: '/socket.io/', serveClient: false, maxHttpBufferSize: 16 * 1024, connectionStateRecovery: undefined });
    this.io.use((socket, next) => {
      const auth = socket.handshake.auth as { token?: unknown } | undefined;
      const ok = o.auth.allows(socket.request) || (typeof auth?.token === 'string' && o.auth.tokenMatches(auth.token));
      next(ok ? undefined : new Error('UNAUTHORIZED'));
    });
    this.io.on('connection', (socket) => this.onConnection(socket));
  }

  /** attach serves Socket.IO on the dashboard's HTTP server (path `/socket.io/`). */
  attach(server: HttpServer): void {
    this.io.attach(server);
  }

  /** broadcastStatus tells every client of a change in upstream reachability. */
  broadcastStatus(s: UpstreamStatus): void {
    this.o.metrics.pushes.inc({ event: 'status' });
    this.io.emit('status', s);
  }

  /** viewCount is the number of views being polled. */
  get viewCount(): number {
    return this.rooms.size;
  }

  private onConnection(socket: LiveSocket): void {
    socket.data.watches = new Set();
    socket.data.watchCalls = [];
    this.o.metrics.sockets.inc();
    socket.emit('status', this.o.status());
    socket.on('watch', (view, ack) => {
      this.watch(socket, view, typeof ack === 'function' ? ack : () => {}).catch((err: unknown) =>
        this.o.logger.error({ err, socket: socket.id }, 'watch failed'),
      );
    });
    socket.on('unwatch', (view, ack) => {
      const v = parseView(view);
      const was = typeof v !== 'string' && this.leave(socket, roomKey(v));
      if (typeof ack === 'function') ack({ ok: was });
    });
    socket.on('disconnect', () => {
      this.o.metrics.sockets.dec();
      for (const key of [...socket.data.watches]) this.leave(socket, key);
    });
  }

  private refuse(ack: (r: WatchAck) => void, code: string, message: string): void {
    ack({ ok: false, error: { code, message } });
  }

  private async watch(socket: LiveSocket, view: unknown, ack: (r: WatchAck) => void): Promise<void> {
    const now = Date.now();
    const calls = socket.data.watchCalls.filter((t) => now - t < 60_000);
    socket.data.watchCalls = calls;
    if (calls.length >= MAX_WATCH_CALLS_PER_MINUTE)
      return this.refuse(ack, 'RATE_LIMITED', `at most ${MAX_WATCH_CALLS_PER_MINUTE} watch calls per minute`);
    calls.push(now);
    // Histories are not volatile: a client that asks for them but does not read would make the server buffer them.
    if (((socket.conn as unknown as { writeBuffer?: unknown[] }).writeBuffer?.length ?? 0) > MAX_QUEUED_PACKETS) {
      this.o.logger.warn({ socket: socket.id }, 'disconnecting a client that does not read what it asks for');
      socket.disconnect(true);
      return;
    }
    const v = parseView(view);
    if (typeof v === 'string') return this.refuse(ack, 'INVALID_VIEW', v);
    const key = roomKey(v);
    const watches = socket.data.watches;
    if (!watches.has(key) && watches.size >= MAX_WATCHES_PER_SOCKET) {
      return this.refuse(ack, 'TOO_MANY_WATCHES', `a connection may watch at most ${MAX_WATCHES_PER_SOCKET} views; unwatch one first`);
    }
    let entry = this.rooms.get(key);
    if (!entry) {
      if (this.rooms.size >= this.o.maxViews)
        return this.refuse(ack, 'TOO_MANY_VIEWS', `the dashboard polls at most ${this.o.maxViews} views at once (DASHBOARD_MAX_VIEWS)`);
      entry = { room: this.createRoom(key, v), members: new Set() };
      this.rooms.set(key, entry);
      this.o.metrics.views.inc({ view: v.view });
    }
    entry.members.add(socket.id);
    watches.add(key);
    ack({ ok: true, key, step: this.o.stepSeconds });
    const room = entry.room;
    if (room instanceof ServerRoom) {
      await room.ready;
      // Joining and taking the history happen in one turn of the event loop, so no delta falls between them.
      if (!socket.connected || !watches.has(key) || this.rooms.get(key)?.room !== room) return;
      settle(socket.join(key));
      this.o.metrics.pushes.inc({ event: 'history' });
      socket.emit('history', room.history());
    } else {
      settle(socket.join(key));
      const last = room.latest();
      if (last) {
        this.o.metrics.pushes.inc({ event: 'servers' });
        socket.emit('servers', { ...last, sentAt: Date.now() });
      }
    }
  }

  private createRoom(key: string, v: ViewKey): ServerRoom | OverviewRoom {
    const { metrics, logger, stepSeconds } = this.o;
    if (v.view === 'overview') {
      return new OverviewRoom({
        stepSeconds,
        metrics,
        logger,
        build: this.o.buildServers,
        broadcast: (s) => this.timed('servers', () => this.io.to(key).volatile.emit('servers', s)),
      });
    }
    return new ServerRoom({
      key,
      instance: v.instance,
      stepSeconds,
      prometheus: this.o.prometheus,
      metrics,
      logger,
      broadcast: (d) => this.timed('delta', () => this.io.to(key).volatile.emit('delta', d)),
    });
  }

  private timed(event: string, send: () => void): void {
    const t0 = process.hrtime.bigint();
    send();
    this.o.metrics.broadcastDuration.observe({ event }, Number(process.hrtime.bigint() - t0) / 1e9);
  }

  /** leave removes a socket from a view; the last one out stops the view's polling and frees it. */
  private leave(socket: LiveSocket, key: string): boolean {
    const had = socket.data.watches.delete(key);
    settle(socket.leave(key));
    const entry = this.rooms.get(key);
    if (!entry) return had;
    entry.members.delete(socket.id);
    if (entry.members.size === 0) {
      entry.room.close();
      this.rooms.delete(key);
      this.o.metrics.views.dec({ view: key === 'overview' ? 'overview' : 'server' });
    }
    return had;
  }

  /**
   * close stops every view and disconnects every client. It leaves the HTTP server to its owner
   * (`io.close()` would close it too, and wait for its idle keep-alive connections).
   */
  close(): void {
    for (const e of this.rooms.values()) e.room.close();
    this.rooms.clear();
    this.io.disconnectSockets(true);
    (this.io.engine as { close?: () => void } | undefined)?.close?.();
  }
}
