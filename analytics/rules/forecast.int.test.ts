import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../test/helpers/binaries.js';
import { startPrometheus, type BackfillSeries, type TestPrometheus } from '../../test/helpers/prometheus.js';
import { getJson, postJson, startAlertReceiver, startTestAnalytics, type AlertReceiver, type TestAnalytics } from '../testing/harness.js';

// Six hours of history at 1-minute resolution, ending a minute ago, so "now" is just after the data.
const end = Math.floor(Date.now() / 1000 / 60) * 60 - 60;
const start = end - 6 * 3600;
function lcg(seed: number) {
  let s = seed;
  return () => (s = (s * 1664525 + 1013904223) % 4294967296) / 4294967296 - 0.5;
}
function series(
  name: string,
  labels: Record<string, string>,
  f: (hours: number, i: number) => number,
  everySeconds = 60,
  from = start,
): BackfillSeries {
  const samples: Array<[number, number]> = [];
  for (let t = from, i = 0; t <= end; t += everySeconds, i++) samples.push([t, Math.round(f((t - start) / 3600, i) * 1000) / 1000]);
  return { name, labels, samples };
}
const n1 = lcg(1);
const n2 = lcg(2);
const n3 = lcg(3);
const disk = (instance: string, f: (h: number, i: number) => number) =>
  series('vigil_test_disk_percent', { instance, mountpoint: '/data', job: 'agent' }, f);

let prom: TestPrometheus;
let receiver: AlertReceiver;
let svc: TestAnalytics;

beforeAll(async () => {
  prom = await startPrometheus({
    backfill: [
      // Filling at 5 %/h from 40 %, with sensor glitches (a reading of 5 % every 97 min): 70 % now, crosses 85 % in ~3 h.
      disk('db-1:9101', (h, i) => (i % 97 === 20 ? 5 : 40 + 5 * h + 2 * n1())),
      // Flat at 60 %.
      disk('db-2:9101', () => 60 + 2 * n2()),
      // Noisy but level around 75 %, swinging ±8 %.
      disk('db-3:9101', () => 75 + 16 * n3()),
      // A sawtooth: filled at 8 %/h to 84 %, cleaned to 40 % two hours ago, filling again: 56 % now, crossing in ~3.6 h.
      disk('db-4:9101', (h) => (h < 4 ? 52 + 8 * h : 40 + 8 * (h - 4))),
      ...['db-1:9101', 'db-2:9101', 'db-3:9101', 'db-4:9101'].map((instance) =>
        series('cpu_usage_percent', { instance, job: 'agent' }, () => (instance === 'db-3:9101' ? 95 : 30), 15, end - 1800),
      ),
      // Seed 000: response times of 100 ms, with two of the last twenty requests taking 500 ms.
      series(
        'time_taken',
        { instance: 'api-1:8080', job: 'recommendation' },
        (_h, i) => (i % 10 === 3 && i > 100 ? 500 : 100),
        15,
        end - 1800,
      ),
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

interface ForecastView {
  rule: string;
  labels: Record<string, string>;
  ok: boolean;
  fires: boolean;
  crossingSeconds: number | null;
  value: number;
  lower: number;
  upper: number;
  resetAt: string | null;
}

describe('forecast rule against a real Prometheus', () => {
  it('fires AMBER before the threshold is reached, with a sensible crossing time, and stays quiet on flat and noisy-level series', async () => {
    const r = await postJson(`${svc.url}/api/v1/rules`, {
      id: 'disk-fill',
      name: 'DiskFillPredicted',
      kind: 'forecast',
      expr: 'vigil_test_disk_percent',
      lookback: '6h',
      horizon: '4h',
      threshold: 85,
      frequency: '5m',
    });
    expect(r.status).toBe(201);
    const rt = await svc.svc.engine.evaluate('disk-fill');
    expect(rt?.lastError).toBeUndefined();
    const { body } = await getJson<{ forecasts: ForecastView[] }>(`${svc.url}/api/v1/forecasts?rule=disk-fill`);
    const by = Object.fromEntries(body.forecasts.map((f) => [f.labels.instance, f]));
    expect(by['db-1:9101']).toMatchObject({ ok: true, fires: true });
    expect(by['db-1:9101']!.crossingSeconds! / 3600).toBeGreaterThan(2.5);
    expect(by['db-1:9101']!.crossingSeconds! / 3600).toBeLessThan(3.5);
    expect(by['db-1:9101']!.lower).toBeLessThan(by['db-1:9101']!.value);
    expect(by['db-1:9101']!.upper).toBeGreaterThan(by['db-1:9101']!.value);
    expect(by['db-2:9101']).toMatchObject({ ok: true, fires: false, crossingSeconds: null });
    expect(by['db-3:9101']).toMatchObject({ ok: true, fires: false });
    expect(by['db-4:9101']).toMatchObject({ ok: true, fires: true });
    expect(by['db-4:9101']!.resetAt).not.toBeNull();
    expect(by['db-4:9101']!.crossingSeconds! / 3600).toBeGreaterThan(3);

    const firing = [...rt!.states.values()]
      .filter((s) => s.phase === 'firing')
      .map((s) => s.labels.instance)
      .sort();
    expect(firing).toEqual(['db-1:9101', 'db-4:9101']);
    const sent = receiver.alerts().filter((a) => a.labels.rule_id === 'disk-fill');
    const a1 = sent.find((a) => a.labels.instance === 'db-1:9101')!;
    expect(a1.labels).toMatchObject({ alertname: 'DiskFillPredicted', severity: 'warning', rule_kind: 'forecast', mountpoint: '/data' });
    expect(a1.annotations.alarm).toBe('AMBER');
    // The same 2.5-3.5 h window as crossingSeconds above, as the summary rounds it (one decimal).
    expect(a1.annotations.summary).toMatch(/predicted to cross 85 in about (2\.[5-9]|3\.[0-5]) h/);
    const crossing = Date.parse(a1.annotations.crossing_time!);
    expect(crossing).toBeGreaterThan(Date.now() + 2.5 * 3600_000);
    expect(crossing).toBeLessThan(Date.now() + 3.5 * 3600_000);
  });

  it("counts each forecast window's block fetch as a cache hit or miss", async () => {
    const count = async () => {
      const text = await (await fetch(`${svc.url}/metrics`)).text();
      const hits = Number(/vigil_analytics_cache_hits_total\{cache="forecast_blocks"\} (\d+)/.exec(text)?.[1]);
      const misses = Number(/vigil_analytics_cache_misses_total\{cache="forecast_blocks"\} (\d+)/.exec(text)?.[1]);
      return { hits, misses };
    };
    const before = await count();
    await svc.svc.engine.evaluate('disk-fill');
    await svc.svc.engine.evaluate('disk-fill');
    const after = await count();
    // disk-fill has one window (its own lookback): two evaluations, two lookups.
    expect(after.hits + after.misses - (before.hits + before.misses)).toBe(2);
  });

  it('publishes the forecasts as metrics that pass promtool check metrics', async () => {
    const text = await (await fetch(`${svc.url}/metrics`)).text();
    expect(text).toMatch(
      /vigil_analytics_forecast_crossing_seconds\{instance="db-1:9101",job="agent",mountpoint="\/data",metric_name="vigil_test_disk_percent",rule="disk-fill"\} \d+/,
    );
    const flat = Number(/vigil_analytics_forecast_value\{instance="db-2:9101",[^}]*\} (\S+)/.exec(text)?.[1]);
    expect(flat).toBeGreaterThan(57);
    expect(flat).toBeLessThan(63);
    expect(text).not.toMatch(/vigil_analytics_forecast_crossing_seconds\{instance="db-2:9101"/);
    const promtool = requireBinary('promtool', 'PROMTOOL_BIN');
    const out = await new Promise<{ code: number; output: string }>((resolve) => {
      const p = execFile(promtool, ['check', 'metrics'], (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
      );
      p.stdin!.end(text);
    });
    expect(out).toEqual({ code: 0, output: '' });
  });

  it('evaluates a seed-000 rule posted through the API', async () => {
    const r = await postJson<{ id: string; expr: string; actions: unknown }>(`${svc.url}/api/v1/rules`, {
      name: 'Rule4',
      namespace: 'Recommendation',
      frequency: '0d_0h_0m_5000s',
      rule_condition: 'P99 time_taken 0d_0h_5m_0s > 300',
      actions: [
        { name: 'slack', value: 'https://hooks.slack.com/services/T000/B000/XXXX' },
        { name: 'gmail', value: 'oncall@example.com' },
      ],
    });
    expect(r.status).toBe(201);
    expect(r.body.expr).toBe('quantile_over_time(0.99, time_taken[5m])');
    await svc.svc.engine.evaluate(r.body.id);
    const alerts = await getJson<{ alerts: Array<{ rule: string; state: string; labels: Record<string, string> }> }>(
      `${svc.url}/api/v1/alerts`,
    );
    expect(alerts.body.alerts.filter((a) => a.rule === r.body.id)).toEqual([
      expect.objectContaining({
        state: 'firing',
        labels: expect.objectContaining({ alertname: 'Rule4', namespace: 'Recommendation', instance: 'api-1:8080' }),
      }),
    ]);
    const sent = receiver.alerts().find((a) => a.labels.alertname === 'Rule4')!;
    expect(sent.actions).toEqual([
      { type: 'slack', value: 'https://hooks.slack.com/services/T000/B000/XXXX' },
      { type: 'email', value: 'oncall@example.com' },
    ]);
  });

  it("answers seed 001's alarm: RED for a firing threshold, AMBER for a firing forecast, GREEN otherwise", async () => {
    await postJson(`${svc.url}/api/v1/rules`, { id: 'cpu-red', name: 'HighCpu', kind: 'threshold', expr: 'cpu_usage_percent', value: 80 });
    await svc.svc.engine.evaluate('cpu-red');
    const { body } = await getJson<{ alarm: string; hosts: Record<string, { alarm: string }> }>(`${svc.url}/api/v1/alarm`);
    expect(body.alarm).toBe('RED');
    expect(body.hosts['db-1:9101']!.alarm).toBe('AMBER');
    expect(body.hosts['db-2:9101']!.alarm).toBe('GREEN');
    expect(body.hosts['db-3:9101']!.alarm).toBe('RED');
    expect(body.hosts['db-4:9101']!.alarm).toBe('AMBER');
  });

  it('backtests a forecast rule over the history', async () => {
    const r = await postJson<{ intervals: Array<{ labels: Record<string, string>; firedAt: string }>; evaluations: number }>(
      `${svc.url}/api/v1/rules/disk-fill/backtest`,
      { from: end - 3 * 3600, to: end },
    );
    expect(r.status).toBe(200);
    const fired = new Set(r.body.intervals.map((i) => i.labels.instance));
    expect(fired.has('db-1:9101')).toBe(true);
    expect(fired.has('db-2:9101')).toBe(false);
    expect(fired.has('db-3:9101')).toBe(false);
  });

  it('screens a large rule with predict_linear and still fires for the same series', async () => {
    // Screening starts once a rule has seen more series than ANALYTICS_SCREEN_ABOVE_SERIES (here: 1).
    const screened = await startTestAnalytics({
      prometheusUrl: prom.url,
      alertsUrl: receiver.url,
      env: { ANALYTICS_SCREEN_ABOVE_SERIES: '1' },
    });
    try {
      await postJson(`${screened.url}/api/v1/rules`, {
        id: 'disk-fill',
        name: 'DiskFillPredicted',
        kind: 'forecast',
        expr: 'vigil_test_disk_percent',
        lookback: '6h',
        horizon: '4h',
        threshold: 85,
      });
      await screened.svc.engine.evaluate('disk-fill');
      const rt = await screened.svc.engine.evaluate('disk-fill');
      const by = Object.fromEntries(rt!.forecasts.map((f) => [f.labels.instance, f.forecast]));
      // Flat at 60 %: Prometheus's linear forecast is far below 85, so it is not fetched or fitted.
      expect(by['db-2:9101']).toMatchObject({ ok: false, reason: expect.stringMatching(/^screened out/) });
      expect(Math.abs((by['db-2:9101'] as { linearValue: number }).linearValue - 60)).toBeLessThan(5);
      // The filling, the noisy-level and the sawtooth series are fitted robustly, with the same verdicts as without screening.
      expect(by['db-1:9101']).toMatchObject({ ok: true, fires: true });
      expect(by['db-3:9101']).toMatchObject({ ok: true, fires: false });
      expect(by['db-4:9101']).toMatchObject({ ok: true, fires: true });
      const firing = [...rt!.states.values()]
        .filter((s) => s.phase === 'firing')
        .map((s) => s.labels.instance)
        .sort();
      expect(firing).toEqual(['db-1:9101', 'db-4:9101']);
      const text = await (await fetch(`${screened.url}/metrics`)).text();
      expect(text).toMatch(
        /vigil_analytics_forecast_value\{instance="db-2:9101",[^}]*\} 5\d|vigil_analytics_forecast_value\{instance="db-2:9101",[^}]*\} 6\d/,
      );
      expect(text).not.toMatch(/vigil_analytics_forecast_lower\{instance="db-2:9101"/);
    } finally {
      await screened.close();
    }
  });
});
