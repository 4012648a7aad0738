import { parentPort, workerData } from 'node:worker_threads';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerDelta, ServerToClientEvents, WatchAck } from '../common/dashboard/events.js';

/**
 * A worker thread of the dashboard bench: opens `count` Socket.IO clients watching one server view and,
 * between `measure` and `stop`, records each delta's delay from the server's push (`sentAt`) to its
 * receipt. Clients are spread over a few threads so that one thread decoding a thousand messages in a
 * row does not add its queue to the delay being measured.
 */
type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const { url, count, instance } = workerData as { url: string; count: number; instance: string };
const port = parentPort!;
const clients: Client[] = [];
const delays: number[] = [];
const received = new Map<number, number>();
let measuring = false;
let deltaBytes = 0;

async function open(): Promise<Client> {
  const c: Client = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  const history = new Promise<void>((resolve) => c.once('history', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('connect_error', reject);
  });
  const ack = (await c.timeout(60_000).emitWithAck('watch', { view: 'server', instance })) as WatchAck;
  if (!ack.ok) throw new Error(`watch refused: ${ack.error.code}`);
  await history;
  c.on('delta', (d: ServerDelta) => {
    if (!measuring) return;
    delays.push(Date.now() - d.sentAt);
    if (!deltaBytes) deltaBytes = JSON.stringify(d).length;
    received.set(d.seq, (received.get(d.seq) ?? 0) + 1);
  });
  return c;
}

port.on('message', (m: string) => {
  if (m === 'measure') measuring = true;
  if (m === 'stop') {
    measuring = false;
    port.postMessage({ delays, received: [...received.entries()], deltaBytes });
  }
  if (m === 'close') {
    for (const c of clients) c.close();
    port.postMessage({ closed: true });
  }
});

for (let i = 0; i < count; i += 50) {
  clients.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, open))));
}
port.postMessage({ ready: clients.length });
