import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ClientToServerEvents,
  ServerDelta,
  ServerHistory,
  ServersPayload,
  ServerToClientEvents,
  UpstreamStatus,
  WatchAck,
} from '../../common/dashboard/events.js';
import { startCountingProxy, type CountingProxy } from '../../test/helpers/counting-proxy.js';
import { hostHistory, startDashboard, type TestDashboard } from '../../test/helpers/dashboard.js';
import { startPrometheus, type TestPrometheus } from '../../test/helpers/prometheus.js';
import { freePort } from '../../test/helpers/ports.js';
import { waitFor } from '../../test/helpers/wait.js';
import { serverPanels } from './panels.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
interface Seen {
  socket: Client;
  history: ServerHistory[];
  deltas: ServerDelta[];
  servers: ServersPayload[];
  status: UpstreamStatus[];
}

const now = Math.floor(Date.now() / 1000);
const HOST = 'host-a:9101';
let prom: TestPrometheus;
let proxy: CountingProxy;
let dash: TestDashboard;
const clients: Client[] = [];

beforeAll(async () => {
  prom = await startPrometheus({
    backfill: hostHistory(HOST, now - 3600, now - 30),
    config: {
      scrape_configs: [{ job_name: 'agent', static_configs: [{ targets: ['127.0.0.1:1'], labels: { instance: 'host-down:9101' } }] }],
    },
  });
  proxy = await startCountingProxy(prom.url);
  dash = await startDashboard({
    PROMETHEUS_URL: proxy.url,
    DASHBOARD_REFRESH_SECONDS: '1',
    ANALYTICS_URL: 'http://127.0.0.1:1',
    ALERTS_URL: 'http://127.0.0.1:1',
  });
});
afterAll(async () => {
  for (const c of clients) c.close();
  await dash?.stop();
  await proxy?.stop();
  await prom?.stop();
});

async function client(url = dash.url): Promise<Seen> {
  const socket: Client = connect(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  clients.push(socket);
  const seen: Seen = { socket, history: [], deltas: [], servers: [], status: [] };
  socket.on('history', (h) => seen.history.push(h));
  socket.on('delta', (d) => seen.deltas.push(d));
  socket.on('servers', (s) => seen.servers.push(s));
  socket.on('status', (s) => seen.status.push(s));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return seen;
}

async function gauge(name: string, labels: Record<string, string>): Promise<number | undefined> {
  const m = await dash.registry.getSingleMetric(name)?.get();
  return m?.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;
}

const serverExprs = serverPanels(HOST, 1).map((p) => p.expr);
const queriesFor = (path: string, expr: string) => proxy.requests.filter((r) => r.path === path && r.params.get('query') === expr);

describe('live server view', () => {
  it('polls each expression once per interval for all watchers, sends history then deltas, and frees the room', async () => {
    const a = await client();
    const b = await client();
    const [ackA, ackB] = await Promise.all([
      a.socket.emitWithAck('watch', { view: 'server', instance: HOST }) as Promise<WatchAck>,
      b.socket.emitWithAck('watch', { view: 'server', instance: HOST }) as Promise<WatchAck>,
    ]);
    expect(ackA).toEqual({ ok: true, key: `server:${HOST}`, step: 1 });
    expect(ackB).toEqual(ackA);
    await waitFor(
      'both clients to get history and three deltas',
      () => a.history.length > 0 && b.history.length > 0 && a.deltas.length >= 3 && b.deltas.length >= 3,
    );
    expect(a.status[0]?.prometheus).toBeDefined();

    // History first: the last 100 points of each panel, from one query_range per expression.
    for (const seen of [a, b]) {
      const h = seen.history[0]!;
      const panel = (id: string) => h.panels.find((p) => p.panel === id)!;
      const cpu = panel('cpu').series[0]!;
      expect(cpu.points).toHaveLength(100);
      const [want] = await prom.query(`cpu_usage_percent{instance="${HOST}"}`, cpu.points[99]![0]);
      expect(cpu.points[99]![1]).toBeCloseTo(Number(want!.value[1]), 6);
      expect(
        panel('cpuCores')
          .series.map((s) => s.labels.cpu)
          .sort(),
      ).toEqual(['0', '1']);
      expect(
        panel('disk')
          .series.map((s) => s.labels.mountpoint)
          .sort(),
      ).toEqual(['/', '/data']);
      const net = panel('networkIn');
      const [lastT, lastV] = net.series[0]!.points.at(-1)!;
      const [netWant] = await prom.query(net.expr, lastT);
      expect(lastV).toBeCloseTo(Number(netWant!.value[1]), 3);
      expect(net.series[0]!.points[50]![1]).toBeCloseTo(125_000, 0);
      expect(
        panel('load')
          .series.map((s) => s.labels.__name__)
          .sort(),
      ).toEqual(['load_average_15m', 'load_average_1m', 'load_average_5m']);
      expect(
        panel('forecast')
          .series.map((s) => s.labels.__name__)
          .sort(),
      ).toEqual(['vigil_analytics_forecast_lower', 'vigil_analytics_forecast_upper', 'vigil_analytics_forecast_value']);
      expect(
        panel('processesMemory')
          .series.map((s) => s.labels.process)
          .sort(),
      ).toEqual(['node', 'postgres']);
      expect(panel('anomaly')).toMatchObject({ series: [] });
      expect(panel('anomaly').error).toBeUndefined();
      // Then deltas, numbered on from the history, one point per series at the poll time.
      const first = seen.deltas.findIndex((d) => d.seq === h.seq + 1);
      expect(first).toBeGreaterThanOrEqual(0);
      const seqs = seen.deltas.slice(first).map((d) => d.seq);
      expect(seqs).toEqual(seqs.map((_, i) => h.seq + 1 + i));
      const d = seen.deltas[first]!;
      expect(d.panels.find((p) => p.panel === 'cpu')!.series[0]!.points).toEqual([[d.t, cpu.points[99]![1]]]);
      expect(d.t).toBeGreaterThan(cpu.points[99]![0]);
    }
    // Both watchers received the same pushes.
    const common = a.deltas.filter((d) => b.deltas.some((x) => x.seq === d.seq));
    expect(common.length).toBeGreaterThanOrEqual(2);

    // Prometheus saw each expression once for the history and once per interval, not once per watcher.
    for (const expr of serverExprs) {
      expect({ expr, ranges: queriesFor('/api/v1/query_range', expr).length }).toEqual({ expr, ranges: 1 });
      const instants = queriesFor('/api/v1/query', expr);
      const times = instants.map((r) => r.params.get('time'));
      expect({ expr, queries: instants.length }).toEqual({ expr, queries: new Set(times).size });
      expect(instants.length).toBeGreaterThanOrEqual(3);
    }
    const counted = await dash.registry.getSingleMetric('vigil_dashboard_prometheus_queries_total')?.get();
    const instantsCounted = counted?.values.find((v) => v.labels.endpoint === 'query')?.value ?? 0;
    expect(instantsCounted).toBe(proxy.requests.filter((r) => r.path === '/api/v1/query').length);
    expect(await gauge('vigil_dashboard_views', { view: 'server' })).toBe(1);

    // One watcher leaves: the room stays for the other; the last leaves: polling stops and the room is freed.
    a.socket.close();
    await waitFor('the server to see the disconnect', async () => (await gauge('vigil_dashboard_sockets', {})) === 1);
    expect(await gauge('vigil_dashboard_views', { view: 'server' })).toBe(1);
    const before = b.deltas.length;
    await waitFor('b to keep getting deltas', () => b.deltas.length >= before + 2);
    expect(await b.socket.emitWithAck('unwatch', { view: 'server', instance: HOST })).toEqual({ ok: true });
    expect(await gauge('vigil_dashboard_views', { view: 'server' })).toBe(0);
    const polled = queriesFor('/api/v1/query', serverExprs[0]!).length;
    // Wait two intervals, measured by the overview's own pushes, and see that no server-view query was sent.
    const c = await client();
    await c.socket.emitWithAck('watch', { view: 'overview' });
    await waitFor('two overview pushes', () => c.servers.length >= 3);
    expect(queriesFor('/api/v1/query', serverExprs[0]!).length).toBeLessThanOrEqual(polled + 1);
    const deltasAfter = b.deltas.length;
    await waitFor('another overview push', () => c.servers.length >= 4);
    expect(b.deltas.length).toBe(deltasAfter);
    c.socket.close();
    b.socket.close();
  });

  it('pushes the servers list: a registered server appears and a down one shows down, without re-watching', async () => {
    const c = await client();
    expect(await c.socket.emitWithAck('watch', { view: 'overview' })).toMatchObject({ ok: true, key: 'overview' });
    await waitFor(
      'host-down to show as down',
      () => c.servers.at(-1)?.servers.find((s) => s.instance === 'host-down:9101')?.health === 'down',
    );
    const latest = c.servers.at(-1)!;
    expect(latest.servers.find((s) => s.instance === HOST)).toMatchObject({ hostname: 'host-a', memory: 61.5 });
    expect(latest.unavailable).toEqual(expect.arrayContaining(['analytics', 'alerts']));
    const r = await fetch(`${dash.url}/api/v1/sd/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ address: 'host-new:9101', labels: { role: 'web' } }),
    });
    expect(r.status).toBe(201);
    const pushed = await waitFor('the new server in a push', () => c.servers.at(-1)?.servers.find((s) => s.instance === 'host-new:9101'));
    expect(pushed).toMatchObject({ registered: true, health: 'unknown' });
    c.socket.close();
  });

  it('refuses bad views and more than 8 watches per connection', async () => {
    const c = await client();
    expect(await c.socket.emitWithAck('watch', { view: 'nope' } as never)).toMatchObject({ ok: false, error: { code: 'INVALID_VIEW' } });
    expect(await c.socket.emitWithAck('watch', { view: 'server', instance: '' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_VIEW' },
    });
    expect(await c.socket.emitWithAck('watch', { view: 'server', instance: 'x'.repeat(300) })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_VIEW' },
    });
    for (let i = 0; i < 8; i++)
      expect(await c.socket.emitWithAck('watch', { view: 'server', instance: `nowhere-${i}:9101` })).toMatchObject({ ok: true });
    expect(await c.socket.emitWithAck('watch', { view: 'server', instance: 'nowhere-9:9101' })).toMatchObject({
      ok: false,
      error: { code: 'TOO_MANY_WATCHES' },
    });
    expect(await gauge('vigil_dashboard_views', { view: 'server' })).toBe(8);
    c.socket.close();
    await waitFor('the rooms to be freed', async () => (await gauge('vigil_dashboard_views', { view: 'server' })) === 0);
  });
});

describe('Prometheus down', () => {
  it('keeps the dashboard up, says Prometheus is unreachable, and recovers by itself when it returns', async () => {
    const port = await freePort();
    const d = await startDashboard({
      PROMETHEUS_URL: `http://127.0.0.1:${port}`,
      DASHBOARD_REFRESH_SECONDS: '1',
      ANALYTICS_URL: 'http://127.0.0.1:1',
      ALERTS_URL: 'http://127.0.0.1:1',
    });
    let back: CountingProxy | undefined;
    try {
      const r = await fetch(`${d.url}/api/prometheus/v1/query?query=up`);
      expect(r.status).toBe(502);
      expect(await r.json()).toMatchObject({ error: { code: 'UPSTREAM_UNAVAILABLE', upstream: 'prometheus' } });
      const list = (await (await fetch(`${d.url}/api/v1/servers`)).json()) as ServersPayload;
      expect(list.unavailable).toContain('prometheus');
      const c = await client(d.url);
      await waitFor('a status saying Prometheus is down', () =>
        c.status.some((s) => !s.prometheus.up && /prometheus at http:\/\/127.0.0.1:\d+ is unreachable/.test(s.prometheus.error ?? '')),
      );
      expect(await c.socket.emitWithAck('watch', { view: 'server', instance: HOST })).toMatchObject({ ok: true });
      await waitFor('the history', () => c.history.length > 0);
      expect(c.history[0]!.panels.every((p) => p.series.length === 0 && /Prometheus/.test(p.error ?? ''))).toBe(true);
      await waitFor('a delta with errors', () => c.deltas.some((x) => x.panels[0]!.error !== undefined));

      // Prometheus comes back at the same address: the status flips and the deltas carry data again.
      back = await startCountingProxy(prom.url, port);
      await waitFor('a status saying Prometheus is up', () => c.status.at(-1)?.prometheus.up === true, 30_000);
      const delta = await waitFor('a delta with data', () =>
        c.deltas.find((x) => x.panels.find((p) => p.panel === 'cpu')!.series.length === 1),
      );
      expect(delta.panels.every((p) => p.error === undefined)).toBe(true);
      c.socket.close();
    } finally {
      await d.stop();
      await back?.stop();
    }
  });
});

describe('a slow client', () => {
  it('misses pushes while its connection is busy instead of having them queued, and the others get every one', async () => {
    const fast = await client();
    const slow = await client();
    for (const c of [fast, slow])
      expect(await c.socket.emitWithAck('watch', { view: 'server', instance: HOST })).toMatchObject({ ok: true });
    await waitFor('both to get deltas', () => fast.deltas.length > 0 && slow.deltas.length > 0);
    // Make the slow client's connection look busy, as a socket whose previous frame is still being written does.
    const conn = dash.dashboard.hub.io.of('/').sockets.get(slow.socket.id!)!.conn as unknown as {
      transport: { writable: boolean };
      writeBuffer: unknown[];
    };
    conn.transport.writable = false;
    const slowBefore = slow.deltas.length;
    const fastFrom = fast.deltas.length;
    await waitFor('three more deltas for the fast client', () => fast.deltas.length >= fastFrom + 3);
    expect(slow.deltas.length).toBe(slowBefore);
    expect(conn.writeBuffer).toHaveLength(0); // dropped, not buffered
    const fastSeqs = fast.deltas.slice(fastFrom - 1).map((d) => d.seq);
    expect(fastSeqs).toEqual(fastSeqs.map((_, i) => fastSeqs[0]! + i));
    // Writable again: the next push arrives with a gap in seq, which tells the client to watch again.
    conn.transport.writable = true;
    const lastSeen = slow.deltas.at(-1)!.seq;
    const next = await waitFor('the next delta for the slow client', () => slow.deltas.length > slowBefore && slow.deltas.at(-1));
    expect(next.seq).toBeGreaterThan(lastSeen + 1);
    const histories = slow.history.length;
    expect(await slow.socket.emitWithAck('watch', { view: 'server', instance: HOST })).toMatchObject({ ok: true });
    const h = await waitFor('a fresh history', () => slow.history.length > histories && slow.history.at(-1));
    expect(h.seq).toBeGreaterThanOrEqual(next.seq);
    fast.socket.close();
    slow.socket.close();
  });
});
