import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../test/helpers/binaries.js';
import { startPrometheus, type BackfillSeries, type TestPrometheus } from '../../test/helpers/prometheus.js';
import { getJson, postJson, startAlertReceiver, startTestAnalytics, type AlertReceiver, type TestAnalytics } from '../testing/harness.js';

// Four days of 5-minute response times ending at a 5-minute boundary at least a minute ago; the rules are evaluated just after it.
const STEP = 300;
const end = Math.floor((Date.now() / 1000 - 60) / STEP) * STEP;
const start = end - 4 * 86_400;
const evalAt = (end + 30) * 1000;
function lcg(seed: number) {
  let s = seed;
  return () => (s = (s * 1664525 + 1013904223) % 4294967296) / 4294967296 - 0.5;
}
/** A p99 that is 0.3 s at night and 0.6 s at the daily peak, with a little noise. */
function latency(instance: string, seed: number, last: (i: number) => number | undefined): BackfillSeries {
  const noise = lcg(seed);
  const samples: Array<[number, number]> = [];
  const n = (end - start) / STEP;
  for (let i = 0; i <= n; i++) {
    const t = start + i * STEP;
    const v = last(n - i) ?? 0.45 - 0.15 * Math.cos((2 * Math.PI * (t % 86_400)) / 86_400) + 0.01 * noise();
    samples.push([t, Math.round(v * 10_000) / 10_000]);
  }
  return { name: 'vigil_test_latency_seconds', labels: { instance, job: 'api' }, samples };
}
function cpu(instance: string, level: number, seed: number): BackfillSeries {
  const noise = lcg(seed);
  const samples: Array<[number, number]> = [];
  for (let t = end - 1800; t <= end; t += 60) samples.push([t, Math.round((level + 4 * noise()) * 100) / 100]);
  return { name: 'vigil_test_cpu_percent', labels: { instance, job: 'agent' }, samples };
}

let prom: TestPrometheus;
let receiver: AlertReceiver;
let svc: TestAnalytics;

beforeAll(async () => {
  prom = await startPrometheus({
    backfill: [
      latency('api-1:8080', 1, (k) => (k < 2 ? 2.4 : undefined)), // a spike in the last ten minutes
      latency('api-2:8080', 2, (k) => (k < 2 ? 0.02 : undefined)), // a drop
      latency('api-3:8080', 3, () => undefined), // clean
      ...['h1', 'h2', 'h3', 'h4', 'h5'].map((h, i) => cpu(`${h}:9101`, h === 'h3' ? 85 : 20 + 2 * i, i + 10)),
    ],
  });
  receiver = await startAlertReceiver();
  svc = await startTestAnalytics({ prometheusUrl: prom.url, alertsUrl: receiver.url });
});

afterAll(async () => {
  await svc?.close();
  await receiver?.close();
  await prom?.stop();
});

interface AnomalyView {
  rule: string;
  kind: string;
  labels: Record<string, string>;
  value: number;
  expected: number;
  lower: number;
  upper: number;
  score: number;
  direction: string;
  seasonality?: string;
}

describe('anomaly and outlier rules against a real Prometheus', () => {
  it('fires on a spike (high) and a drop (low) with the band in words and annotations, and stays quiet on a clean seasonal series', async () => {
    const r = await postJson(`${svc.url}/api/v1/rules`, {
      id: 'latency',
      name: 'LatencyAnomaly',
      kind: 'anomaly',
      expr: 'vigil_test_latency_seconds',
      frequency: '5m',
      params: { title: 'p99 latency', step: '5m', history: '3d', refit: '1h' },
    });
    expect(r.status).toBe(201);
    const rt = await svc.svc.engine.evaluate('latency', evalAt);
    expect(rt?.lastError).toBeUndefined();
    expect(rt?.health).toBe('ok');
    const { body } = await getJson<{ anomalies: AnomalyView[] }>(`${svc.url}/api/v1/anomalies?rule=latency`);
    const by = Object.fromEntries(body.anomalies.map((a) => [a.labels.instance, a]));
    expect(by['api-1:8080']).toMatchObject({ kind: 'anomaly', direction: 'high', value: 2.4, seasonality: 'daily' });
    expect(by['api-1:8080']!.score).toBeGreaterThan(1);
    expect(by['api-2:8080']).toMatchObject({ direction: 'low' });
    expect(by['api-2:8080']!.score).toBeGreaterThan(1);
    expect(by['api-3:8080']!.score).toBeLessThan(1);
    // The expectation follows the hour: within the day's range and near the clean series' value.
    expect(Math.abs(by['api-1:8080']!.expected - by['api-3:8080']!.value)).toBeLessThan(0.05);

    const firing = [...rt!.states.values()]
      .filter((s) => s.phase === 'firing')
      .map((s) => s.labels.instance)
      .sort();
    expect(firing).toEqual(['api-1:8080', 'api-2:8080']);
    const sent = receiver.alerts().filter((a) => a.labels.rule_id === 'latency');
    const high = sent.find((a) => a.labels.instance === 'api-1:8080')!;
    const low = sent.find((a) => a.labels.instance === 'api-2:8080')!;
    expect(high.labels).toMatchObject({ alertname: 'LatencyAnomaly', rule_kind: 'anomaly', severity: 'warning' });
    expect(high.labels.direction).toBeUndefined();
    expect(high.annotations).toMatchObject({ alarm: 'ANOMALY', direction: 'high', metric: 'vigil_test_latency_seconds' });
    expect(low.annotations.direction).toBe('low');
    expect(high.annotations.summary).toMatch(/^p99 latency 2\.4 s, expected \d+ ms–\d+ ms at this hour on instance api-1:8080$/);
    expect(Number(high.annotations.lower)).toBeLessThan(Number(high.annotations.upper));
    expect(Number(high.annotations.upper)).toBeLessThan(2.4);

    const scored = await getJson<{ anomalies: AnomalyView[] }>(`${svc.url}/api/v1/anomalies?min_score=1`);
    expect(scored.body.anomalies.map((x) => x.labels.instance).sort()).toEqual(['api-1:8080', 'api-2:8080']);
    const bad = await getJson<{ error: { code: string } }>(`${svc.url}/api/v1/anomalies?min_score=-1`);
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'INVALID_PARAMETER' } } });
    const doc = await getJson<{ paths: Record<string, unknown> }>(`${svc.url}/api/v1/openapi.json`);
    expect(Object.keys(doc.body.paths)).toContain('/api/v1/anomalies');

    const alarm = await getJson<{ alarm: string; hosts: Record<string, { alarm: string }> }>(`${svc.url}/api/v1/alarm`);
    expect(alarm.body.hosts['api-1:8080']!.alarm).toBe('ANOMALY');
  });

  it('keeps the fitted history between evaluations, counts the cache, and its metrics pass promtool check metrics', async () => {
    await svc.svc.engine.evaluate('latency', evalAt + 60_000);
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    expect(Number(/vigil_analytics_cache_misses_total\{cache="anomaly_history"\} (\d+)/.exec(text)?.[1])).toBe(3);
    expect(Number(/vigil_analytics_cache_hits_total\{cache="anomaly_history"\} (\d+)/.exec(text)?.[1])).toBe(3);
    expect(text).toMatch(
      /vigil_analytics_anomaly_upper\{instance="api-3:8080",job="api",metric_name="vigil_test_latency_seconds",rule="latency"\} [\d.]+/,
    );
    const promtool = requireBinary('promtool', 'PROMTOOL_BIN');
    const out = await new Promise<{ code: number; output: string }>((resolve) => {
      const p = execFile(promtool, ['check', 'metrics'], (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
      );
      p.stdin!.end(text);
    });
    expect(out).toEqual({ code: 0, output: '' });
  });

  it('stays quiet on the clean seasonal series over several days (backtest)', async () => {
    const r = await postJson<{ intervals: Array<{ labels: Record<string, string> }>; evaluations: number }>(
      `${svc.url}/api/v1/rules/latency/backtest`,
      { from: end - 3 * 86_400 + 3600, to: end },
    );
    expect(r.status).toBe(200);
    expect(r.body.evaluations).toBeGreaterThan(800);
    expect(r.body.intervals.filter((i) => i.labels.instance === 'api-3:8080')).toEqual([]);
    expect(r.body.intervals.some((i) => i.labels.instance === 'api-1:8080')).toBe(true);
  });

  it('names the host that is unlike its four peers', async () => {
    const r = await postJson(`${svc.url}/api/v1/rules`, {
      id: 'cpu-peers',
      name: 'CpuPeerOutlier',
      kind: 'outlier',
      expr: 'vigil_test_cpu_percent',
      params: { by: ['job'], window: '10m', minDeviation: 20, title: 'CPU usage', unit: '%' },
    });
    expect(r.status).toBe(201);
    const rt = await svc.svc.engine.evaluate('cpu-peers', evalAt);
    expect(rt?.lastError).toBeUndefined();
    const firing = [...rt!.states.values()].filter((s) => s.phase === 'firing');
    expect(firing.map((s) => s.labels.instance)).toEqual(['h3:9101']);
    const a = receiver.alerts().find((x) => x.labels.rule_id === 'cpu-peers')!;
    expect(a.annotations.summary).toMatch(/^CPU usage 8\d(\.\d)? %, expected .* like its 5 peers on instance h3:9101$/);
    expect(a.annotations.direction).toBe('high');
    // Its backtest over the last twenty minutes names the same host, and only it.
    const bt = await postJson<{ intervals: Array<{ labels: Record<string, string> }> }>(`${svc.url}/api/v1/rules/cpu-peers/backtest`, {
      from: end - 1200,
      to: end,
    });
    expect(bt.status).toBe(200);
    expect([...new Set(bt.body.intervals.map((i) => i.labels.instance))]).toEqual(['h3:9101']);
  });

  it('rejects bad detector parameters when the rule is stored', async () => {
    const r = await postJson<{ error: { code: string; message: string } }>(`${svc.url}/api/v1/rules`, {
      name: 'x',
      kind: 'anomaly',
      expr: 'up',
      params: { step: '1s', history: '30d' },
    });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/params\.(step|history)/);
  });

  it('exports score and band series that Prometheus scrapes back', async () => {
    const target = new URL(svc.url).host;
    await prom.reload({
      scrape_configs: [{ job_name: 'vigil', honor_labels: true, scrape_interval: '1s', static_configs: [{ targets: [target] }] }],
    });
    let got: Array<{ metric: Record<string, string>; value: [number, string] }> = [];
    for (let i = 0; i < 120 && got.length < 3; i++) {
      got = await prom.query('vigil_analytics_anomaly_score{rule="latency"}');
      if (got.length < 3) await new Promise((r) => setTimeout(r, 500));
    }
    const score = Object.fromEntries(got.map((s) => [s.metric.instance, Number(s.value[1])]));
    expect(score['api-1:8080']).toBeGreaterThan(1);
    expect(score['api-3:8080']).toBeLessThan(1);
    expect(got[0]!.metric).toMatchObject({ job: 'api', metric_name: 'vigil_test_latency_seconds', rule: 'latency' });
    const band = await prom.query(
      'vigil_analytics_anomaly_upper{instance="api-3:8080"} - vigil_analytics_anomaly_lower{instance="api-3:8080"}',
    );
    expect(Number(band[0]?.value[1])).toBeGreaterThan(0);
    expect((await prom.query('vigil_analytics_anomaly_expected{rule="latency"}')).length).toBe(3);
    const outlier = await prom.query('vigil_analytics_outlier_score > 1');
    expect(outlier.map((s) => s.metric.instance)).toEqual(['h3:9101']);
  });
});
