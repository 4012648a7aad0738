import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, UpstreamStatus, ViewKey, WatchAck } from '../../../common/dashboard/events';

/** The typed socket of the dashboard's live updates. */
export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: LiveSocket | undefined;
let lastStatus: UpstreamStatus | undefined;
const statusListeners = new Set<(s: UpstreamStatus) => void>();

/** live returns the app's one Socket.IO connection (same origin; the session cookie authenticates it). */
export function live(): LiveSocket {
  if (socket) return socket;
  socket = io({ transports: ['websocket', 'polling'], withCredentials: true }) as LiveSocket;
  const dot = document.getElementById('conn');
  const show = (ok: boolean, why: string) => {
    if (!dot) return;
    dot.classList.toggle('on', ok);
    dot.title = why;
  };
  socket.on('connect', () => show(true, 'Live: connected'));
  socket.on('disconnect', () => show(false, 'Live: disconnected, reconnecting…'));
  socket.on('connect_error', (err) => {
    show(false, `Live: ${err.message}`);
    if (/unauthori[sz]ed/i.test(err.message)) location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
  });
  socket.on('status', (s) => {
    lastStatus = s;
    for (const l of statusListeners) l(s);
  });
  return socket;
}

/** onStatus is told the upstreams' reachability as the dashboard pushes it. */
export function onStatus(fn: (s: UpstreamStatus) => void): () => void {
  statusListeners.add(fn);
  if (lastStatus) fn(lastStatus);
  return () => statusListeners.delete(fn);
}

/**
 * watch joins a view's room, again after every reconnect (the server then sends a fresh history),
 * and returns the function that leaves it.
 */
export function watch(view: ViewKey, onAck?: (ack: WatchAck) => void): () => void {
  const s = live();
  const join = () => s.emit('watch', view, (ack) => onAck?.(ack));
  s.on('connect', join);
  if (s.connected) join();
  return () => {
    s.off('connect', join);
    if (s.connected) s.emit('unwatch', view);
  };
}
