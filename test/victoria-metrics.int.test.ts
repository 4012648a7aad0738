import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAnalytics, type TestAnalytics } from '../analytics/testing/harness.js';
import type { Forecast } from '../analytics/models/forecast.js';
import { freePort } from './helpers/ports.js';
import { startPrometheus, type BackfillSeries, type TestPrometheus } from './helpers/prometheus.js';
import { startVictoriaMetrics, type TestVictoriaMetrics } from './helpers/victoria-metrics.js';
import { startVigil, waitReady } from './helpers/vigil.js';
import { waitFor } from './helpers/wait.js';
import type { Child } from './helpers/child.js';

/*
 * Past one Prometheus: VictoriaMetrics as the long-term store. Prometheus remote-writes to it, and
 * analytics and the dashboard read from it through its Prometheus-compatible API (PROMETHEUS_URL).
 * The same history goes into both stores (promtool backfill for Prometheus, VictoriaMetrics' import
 * API for it); analytics evaluates the same rules at the same instants against each and must agree.
 */

const base = Math.floor(Date.now() / 1000 / 60) * 60 - 3 * 3600;
const STEP = 15; // s between samples
const N = (2 * 3600) / STEP + 1; // two hours
// Small deterministic noise so fits are not trivially exact.
const noise = (i: number) => ((i * 7919) % 13) / 13 - 0.5;
// CPU timeline (minutes after base) for web-1: 0–10: 50 · 10–20: 90 · 20–30: hovers 78/82 · then 60.
const cpu = (m: number, i: number) => (m < 10 ? 50 : m < 20 ? 90 : m < 30 ? (Math.floor(i / 2) % 2 ? 82 : 78) : 60);
const history: BackfillSeries[] = [
  {
    name: 'vigil_test_cpu_percent',
    labels: { instance: 'web-1:9101', job: 'agent' },
    samples: Array.from({ length: N }, (_, i) => [base + i * STEP, cpu((i * STEP) / 60, i)]),
  },
  {
    name: 'vigil_test_cpu_percent',
    labels: { instance: 'web-2:9101', job: 'agent' },
    samples: Array.from({ length: N }, (_, i) => [base + i * STEP, 40]),
  },
  // Filling at 5 %/h from 60 %: 70 % at the end, crosses 85 % three hours later.
  {
    name: 'vigil_test_disk_percent',
    labels: { instance: 'db-1:9101', job: 'agent', mountpoint: '/data' },
    samples: Array.from({ length: N }, (_, i) => [base + i * STEP, 60 + (5 * i * STEP) / 3600 + noise(i)]),
  },
  // Flat: no crossing.
  {
    name: 'vigil_test_disk_percent',
    labels: { instance: 'db-2:9101', job: 'agent', mountpoint: '/data' },
    samples: Array.from({ length: N }, (_, i) => [base + i * STEP, 50 + noise(i)]),
  },
];

/** The same series in Prometheus's text format with millisecond timestamps, for VictoriaMetrics' /api/v1/import/prometheus. */
function importText(series: BackfillSeries[]): string {
  return (
    series
      .flatMap((s) => {
        const labels = Object.entries(s.labels ?? {})
          .map(([k, v]) => `${k}="${v}"`)
          .join(',');
        return s.samples.map(([t, v]) => `${s.name}{${labels}} ${v} ${t * 1000}`);
      })
      .join('\n') + '\n'
  );
}

const RULES = [
  {
    id: 'cpu-high',
    name: 'HighCpu',
    kind: 'threshold',
    expr: 'vigil_test_cpu_percent',
    op: '>',
    value: 80,
    resolveValue: 75,
    for: '1m',
    frequency: '15s',
  },
  {
    id: 'disk-fill',
    name: 'DiskFill',
    kind: 'forecast',
    expr: 'vigil_test_disk_percent',
    threshold: 85,
    lookback: '1h',
    horizon: '4h',
    points: 12,
    frequency: '1m',
  },
];

let prom: TestPrometheus;
let vm: TestVictoriaMetrics;
let onProm: TestAnalytics;
let onVm: TestAnalytics;

beforeAll(async () => {
  [prom, vm] = await Promise.all([startPrometheus({ backfill: history }), startVictoriaMetrics(['-search.latencyOffset=5s'])]); // as docker-compose.yml runs it
  const r = await fetch(`${vm.url}/api/v1/import/prometheus`, { method: 'POST', body: importText(history) });
  expect(r.status).toBe(204);
  await fetch(`${vm.url}/internal/force_flush`);
  [onProm, onVm] = await Promise.all([
    startTestAnalytics({ prometheusUrl: prom.url, fileRules: RULES }),
    startTestAnalytics({ prometheusUrl: vm.url, fileRules: RULES }),
  ]);
});

afterAll(async () => {
  await onProm?.close();
  await onVm?.close();
  await prom?.stop();
  await vm?.stop();
});

/** Evaluates the threshold rule every 15 s over the first 40 minutes and returns web-1's phase changes. */
async function timeline(svc: TestAnalytics): Promise<Array<[number, string]>> {
  const changes: Array<[number, string]> = [];
  let last = 'inactive';
  for (let t = base; t <= base + 40 * 60; t += 15) {
    const rt = await svc.svc.engine.evaluate('cpu-high', t * 1000);
    expect(rt?.health, rt?.lastError).toBe('ok');
    expect([...rt!.states.values()].some((s) => s.labels.instance === 'web-2:9101')).toBe(false);
    const phase = [...rt!.states.values()].find((s) => s.labels.instance === 'web-1:9101')?.phase ?? 'inactive';
    if (phase !== last) changes.push([(t - base) / 60, phase]);
    last = phase;
  }
  return changes;
}

describe('VictoriaMetrics behind PROMETHEUS_URL', () => {
  it('a threshold rule goes through the same timeline as against Prometheus', async () => {
    const [a, b] = [await timeline(onProm), await timeline(onVm)];
    expect(a).toEqual([
      [10, 'pending'],
      [11, 'firing'],
      [30, 'resolved'],
    ]);
    expect(b).toEqual(a);
  });

  it('a forecast rule predicts the same values and crossing as against Prometheus', async () => {
    const at = (base + 2 * 3600) * 1000;
    const results: Array<Map<string, Forecast>> = [];
    for (const svc of [onProm, onVm]) {
      const rt = await svc.svc.engine.evaluate('disk-fill', at);
      expect(rt?.health, rt?.lastError).toBe('ok');
      results.push(new Map(rt!.forecasts.map((f) => [f.labels.instance!, f.forecast])));
    }
    const [p, v] = results as [Map<string, Forecast>, Map<string, Forecast>];
    const p1 = p.get('db-1:9101')!;
    const v1 = v.get('db-1:9101')!;
    expect(p1.ok && v1.ok).toBe(true);
    if (!p1.ok || !v1.ok) return;
    expect(p1.fires).toBe(true);
    expect(v1.fires).toBe(p1.fires);
    expect(v1.points).toBe(p1.points);
    // 70 % now, +20 % in four hours: about 90 % at the horizon, crossing 85 % in about 3 h.
    expect(p1.value).toBeGreaterThan(88);
    expect(p1.value).toBeLessThan(92);
    // The same block means from both stores (forecast-query.ts's windows make their range edges agree;
    // with plain [300s] windows VictoriaMetrics' block means differed and the horizon value by 0.1 %),
    // so the same fit up to floating-point summation order.
    expect(v1.value).toBeCloseTo(p1.value, 6);
    expect(v1.lower).toBeCloseTo(p1.lower, 6);
    expect(v1.upper).toBeCloseTo(p1.upper, 6);
    expect(v1.crossingSeconds!).toBeCloseTo(p1.crossingSeconds!, 3);
    expect(v1.confidence).toBeCloseTo(p1.confidence, 6);
    const p2 = p.get('db-2:9101')!;
    const v2 = v.get('db-2:9101')!;
    expect(p2.ok && !p2.fires && v2.ok && !v2.fires).toBe(true);
  });
});

describe('Prometheus remote-writing to VictoriaMetrics', () => {
  let agent: Child | undefined;
  let dashboard: Child | undefined;
  let live: TestPrometheus | undefined;
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    await dashboard?.stop();
    await agent?.stop();
    await live?.stop();
  });

  it('VictoriaMetrics gets what Prometheus scrapes from an agent; analytics evaluates it there; the dashboard answers from it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-vm-services-'));
    const agentPort = await freePort();
    agent = startVigil(['agent'], { AGENT_PORT: String(agentPort), AGENT_HOST: '127.0.0.1', AGENT_INTERVAL_SECONDS: '1', DATA_DIR: dir });
    await waitReady(agent, `http://127.0.0.1:${agentPort}`, 60_000);
    live = await startPrometheus({
      config: {
        scrape_configs: [{ job_name: 'agent', static_configs: [{ targets: [`127.0.0.1:${agentPort}`] }] }],
        // What prometheus/prometheus-longterm.yml adds, pointed at the test's VictoriaMetrics.
        remote_write: [{ url: `${vm.url}/api/v1/write` }],
      },
    });
    const fromVm = await waitFor(
      'cpu_usage_percent in VictoriaMetrics',
      async () => {
        const r = await vm.query('cpu_usage_percent{job="agent"}');
        return r.length ? r : undefined;
      },
      90_000,
    );
    const fromProm = await live.query('cpu_usage_percent{job="agent"}');
    expect(fromVm.map((s) => s.metric)).toEqual(fromProm.map((s) => s.metric));
    expect(Number(fromVm[0]!.value[1])).toBeGreaterThanOrEqual(0);

    // Analytics evaluates a rule on the remote-written samples, at "now", through VictoriaMetrics.
    const svc = await startTestAnalytics({
      prometheusUrl: vm.url,
      fileRules: [
        { id: 'cpu-any', name: 'CpuSeen', kind: 'threshold', expr: 'cpu_usage_percent{job="agent"}', op: '>=', value: 0, frequency: '5s' },
      ],
    });
    try {
      const instance = fromProm[0]!.metric.instance;
      const state = await waitFor(
        'analytics to see the agent through VictoriaMetrics',
        async () => {
          const rt = await svc.svc.engine.evaluate('cpu-any');
          expect(rt?.health, rt?.lastError).toBe('ok');
          return [...rt!.states.values()].find((x) => x.labels.instance === instance);
        },
        30_000,
        1_000,
      );
      expect(state.phase).toBe('firing');
    } finally {
      await svc.close();
    }

    const port = await freePort();
    dashboard = startVigil(['dashboard'], {
      DASHBOARD_PORT: String(port),
      DASHBOARD_HOST: '127.0.0.1',
      PROMETHEUS_URL: vm.url,
      DATA_DIR: dir,
    });
    await waitReady(dashboard, `http://127.0.0.1:${port}`, 60_000);
    const sd = await fetch(`http://127.0.0.1:${port}/api/v1/sd`);
    expect(sd.status).toBe(200);
    // The dashboard's API answers from VictoriaMetrics: the store is up, the agent is a server with its CPU
    // now, and the read-only proxy passes a query through.
    const base = `http://127.0.0.1:${port}`;
    const status = (await (await fetch(`${base}/api/v1/status`)).json()) as { prometheus: { up: boolean } };
    expect(status.prometheus.up).toBe(true);
    const instance = fromProm[0]!.metric.instance!;
    const listed = await waitFor(
      'the agent in the dashboard servers list, read from VictoriaMetrics',
      async () => {
        const body = (await (await fetch(`${base}/api/v1/servers`)).json()) as {
          servers: Array<{ instance: string; up: boolean; cpu: number | null; hostname?: string }>;
        };
        return body.servers.find((s) => s.instance === instance && s.cpu !== null);
      },
      60_000,
    );
    expect(listed.up).toBe(true);
    expect(listed.cpu).toBeGreaterThanOrEqual(0);
    expect(listed.hostname).toBeTruthy();
    const proxied = (await (
      await fetch(`${base}/api/prometheus/v1/query?query=${encodeURIComponent('cpu_usage_percent{job="agent"}')}`)
    ).json()) as { status: string; data: { result: unknown[] } };
    expect(proxied.status).toBe('success');
    expect(proxied.data.result.length).toBe(fromVm.length);
  });
});
