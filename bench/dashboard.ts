import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents, WatchAck } from '../common/dashboard/events.js';
import { startCountingProxy, type CountingProxy } from '../test/helpers/counting-proxy.js';
import { hostHistory } from '../test/helpers/dashboard.js';
import { freePort } from '../test/helpers/ports.js';
import { startPrometheus } from '../test/helpers/prometheus.js';
import { startVigil, waitReady } from '../test/helpers/vigil.js';
import { sleep, waitFor } from '../test/helpers/wait.js';
import { percentile, type Benchmark, type BenchResult } from './harness.js';

const CLIENTS = 1000;
const CYCLES = 1000;
const STEP = 1; // s: DASHBOARD_REFRESH_SECONDS; five times the default rate, so a short run sees many pushes
const WINDOW = 20; // intervals measured in each phase
const THREADS = 4; // client threads for the many-clients phase
const HOST = 'host-a:9101';
type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Process figures read from /proc: CPU seconds and resident memory. */
async function procUsage(pid: number, hz = 100): Promise<{ cpuSeconds: number; rssBytes: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]);
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return { cpuSeconds: ticks / hz, rssBytes: Number(status.match(/^VmRSS:\s+(\d+)/m)?.[1] ?? NaN) * 1024 };
}

function open(url: string): Client {
  return connect(url, { transports: ['websocket'], reconnection: false, forceNew: true });
}

async function watch(c: Client): Promise<void> {
  const history = new Promise<void>((resolve) => c.once('history', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    if (c.connected) return resolve();
    c.once('connect', () => resolve());
    c.once('connect_error', reject);
  });
  const ack = (await c.timeout(30_000).emitWithAck('watch', { view: 'server', instance: HOST })) as WatchAck;
  if (!ack.ok) throw new Error(`watch refused: ${ack.error.code}`);
  await history;
}

/**
 * The instant queries Prometheus received over a window, from the counting proxy: per poll (queries
 * grouped by their evaluation time, which is the poll's grid time) and the number of polls.
 */
async function queriesPerPoll(proxy: CountingProxy, intervals: number): Promise<{ perPoll: number; polls: number }> {
  await sleep(STEP * 1000 * 1.5);
  const n0 = proxy.requests.length;
  await sleep(intervals * STEP * 1000);
  const instants = proxy.requests.slice(n0).filter((r) => r.path === '/api/v1/query');
  const polls = new Set(instants.map((r) => r.params.get('time'))).size;
  return { perPoll: instants.length / Math.max(1, polls), polls };
}

async function dashboardViews(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(text.match(/^vigil_dashboard_views\{view="server"\} (\d+)/m)?.[1] ?? NaN);
}

async function broadcastSeconds(url: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const get = (s: string) =>
    Number(text.match(new RegExp(`^vigil_dashboard_broadcast_duration_seconds_${s}\\{event="delta"\\} (\\S+)`, 'm'))?.[1] ?? 0);
  return { sum: get('sum'), count: get('count') };
}

async function heapUsed(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(text.match(/^nodejs_heap_size_used_bytes (\S+)/m)?.[1] ?? NaN);
}

export const benchmark: Benchmark = {
  name: 'dashboard',
  description: `${CLIENTS} Socket.IO clients watching one server (poll every ${STEP} s): Prometheus queries per interval, push→receipt delay, dashboard CPU and RSS; then ${CYCLES} connect/watch/disconnect cycles`,
  async run(): Promise<BenchResult> {
    const now = Math.floor(Date.now() / 1000);
    const prom = await startPrometheus({ backfill: hostHistory(HOST, now - 3600, now - 30) });
    const proxy = await startCountingProxy(prom.url);
    const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-dash-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const dash = startVigil(['dashboard'], {
      DATA_DIR: dir,
      DASHBOARD_PORT: String(port),
      DASHBOARD_HOST: '127.0.0.1',
      PROMETHEUS_URL: proxy.url,
      ANALYTICS_URL: 'http://127.0.0.1:1',
      ALERTS_URL: 'http://127.0.0.1:1',
      DASHBOARD_REFRESH_SECONDS: String(STEP),
      LOG_LEVEL: 'error',
    });
    try {
      await waitReady(dash, url);
      const pid = dash.proc.pid!;
      const promPid = prom.child.proc.pid!;

      // 1. One client: the queries one view costs per interval, and Prometheus's CPU for them.
      const one = open(url);
      await watch(one);
      const p0 = await procUsage(promPid);
      const tp0 = Date.now();
      const { perPoll: single, polls: singlePolls } = await queriesPerPoll(proxy, WINDOW);
      const promCpuSingle = ((await procUsage(promPid)).cpuSeconds - p0.cpuSeconds) / ((Date.now() - tp0) / 1000);
      one.close();
      await waitFor('the room to be freed', async () => (await dashboardViews(url)) === 0);

      // 2. Churn: connect, watch (history), disconnect, CYCLES times, 50 at a time; RSS before and after.
      // V8 sizes its heap to the allocation rate and keeps it: RSS climbs over the first thousand cycles and
      // then levels off (measured: 91 MB cold, 138 MB after 1,000 cycles, 128–135 MB up to 3,000). So the
      // comparison is after a warm-up of CYCLES cycles: does another CYCLES, and then another, bring growth?
      const rssCold = (await procUsage(pid)).rssBytes;
      const cycle = async (n: number) => {
        for (let done = 0; done < n; done += 50) {
          const batch = Array.from({ length: 50 }, () => open(url));
          await Promise.all(batch.map(watch));
          for (const c of batch) c.close();
        }
        await waitFor('every room to be freed after the cycles', async () => (await dashboardViews(url)) === 0);
        await sleep(3000);
        return { rss: (await procUsage(pid)).rssBytes, heap: await heapUsed(url) };
      };
      const warm = await cycle(CYCLES);
      const rssStart = warm.rss;
      const heapStart = warm.heap;
      const after1 = await cycle(CYCLES);
      const rssAfterChurn = after1.rss;
      const heapAfterChurn = after1.heap;
      const rssAfterChurn2 = (await cycle(CYCLES)).rss;

      // 3. CLIENTS at once on the same server view, spread over client threads.
      const workers = Array.from(
        { length: THREADS },
        () =>
          new Worker(new URL('./dashboard-clients.js', import.meta.url), { workerData: { url, count: CLIENTS / THREADS, instance: HOST } }),
      );
      const reply = (w: Worker) =>
        new Promise<Record<string, unknown>>((resolve, reject) => {
          w.once('message', resolve);
          w.once('error', reject);
        });
      await Promise.all(workers.map(reply));
      const rssClientsIdle = (await procUsage(pid)).rssBytes;
      const u0 = await procUsage(pid);
      const pm0 = await procUsage(promPid);
      const b0 = await broadcastSeconds(url);
      const t0 = Date.now();
      for (const w of workers) w.postMessage('measure');
      const { perPoll: many, polls: manyPolls } = await queriesPerPoll(proxy, WINDOW);
      const stopped = workers.map(reply);
      for (const w of workers) w.postMessage('stop');
      const results = (await Promise.all(stopped)) as Array<{ delays: number[]; received: Array<[number, number]>; deltaBytes: number }>;
      const seconds = (Date.now() - t0) / 1000;
      const u1 = await procUsage(pid);
      const promCpuMany = ((await procUsage(promPid)).cpuSeconds - pm0.cpuSeconds) / seconds;
      const b1 = await broadcastSeconds(url);
      const broadcastMs = ((b1.sum - b0.sum) / Math.max(1, b1.count - b0.count)) * 1000;
      const dashCpu = ((u1.cpuSeconds - u0.cpuSeconds) / seconds) * 100;
      const delays = results.flatMap((r) => r.delays);
      const received = new Map<number, number>();
      for (const r of results) for (const [seq, n] of r.received) received.set(seq, (received.get(seq) ?? 0) + n);
      const complete = [...received.values()].filter((n) => n === CLIENTS).length;
      const closed = workers.map(reply);
      for (const w of workers) w.postMessage('close');
      await Promise.all(closed);
      await Promise.all(workers.map((w) => w.terminate()));
      await waitFor('every room to be freed', async () => (await dashboardViews(url)) === 0);

      const p50 = percentile(delays, 50);
      const p99 = percentile(delays, 99);
      const rssRatio = rssAfterChurn / rssStart;
      return {
        name: 'dashboard',
        anchorName: 'one query set per client',
        rows: [
          { measure: 'Prometheus queries per poll interval, 1 client', unit: 'queries', vigil: single },
          {
            measure: `Prometheus queries per poll interval, ${CLIENTS} clients`,
            unit: 'queries',
            vigil: many,
            anchor: single * CLIENTS,
            target: '= 1 client',
            met: many === single,
          },
          {
            measure: `Prometheus CPU, ${CLIENTS} clients`,
            unit: '% core',
            vigil: promCpuMany * 100,
            anchor: promCpuSingle * 100 * CLIENTS,
          },
          { measure: 'push → receipt delay p50', unit: 'ms', vigil: p50 },
          { measure: 'push → receipt delay p99', unit: 'ms', vigil: p99, target: '≤ 100 ms', met: p99 <= 100 },
          { measure: `server fan-out per push to ${CLIENTS} sockets`, unit: 'ms', vigil: broadcastMs },
          { measure: `dashboard CPU, ${CLIENTS} clients`, unit: '% core', vigil: dashCpu },
          { measure: `dashboard RSS, ${CLIENTS} clients`, unit: 'MB', vigil: rssClientsIdle / 1e6 },
          {
            measure: `RSS after ${CYCLES} connect/watch/disconnect cycles vs before (after ${CYCLES} warm-up cycles)`,
            unit: '×',
            vigil: rssRatio,
            target: '≤ 1.10×',
            met: rssRatio <= 1.1,
          },
          { measure: `RSS after ${2 * CYCLES} cycles vs before (same start)`, unit: '×', vigil: rssAfterChurn2 / rssStart },
          { measure: 'RSS after the warm-up vs cold (one client)', unit: '×', vigil: rssStart / rssCold },
        ],
        details: {
          stepSeconds: STEP,
          windowIntervals: WINDOW,
          deltasMeasured: delays.length,
          pushesReceivedByAllClients: complete,
          pushesSeen: received.size,
          rssColdBytes: rssCold,
          rssStartBytes: rssStart,
          rssAfterChurnBytes: rssAfterChurn,
          rssAfterSecondChurnBytes: rssAfterChurn2,
          pollsInWindowOneClient: singlePolls,
          pollsInWindowManyClients: manyPolls,
          rssWithClientsBytes: rssClientsIdle,
          heapUsedStartBytes: heapStart,
          heapUsedAfterChurnBytes: heapAfterChurn,
          clientThreads: THREADS,
          deltaBytes: results[0]?.deltaBytes,
          loadAverage1mDuringRun: loadavg()[0],
          prometheusCpuSingleCore: promCpuSingle,
          note: "clients run in the bench process on the same 2-core machine as the dashboard and Prometheus; the anchor multiplies one client's cost by the number of clients (a dashboard that queried per client)",
        },
      };
    } finally {
      await dash.stop();
      await proxy.stop();
      await prom.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
