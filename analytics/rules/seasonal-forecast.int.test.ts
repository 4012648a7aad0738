import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type BackfillSeries, type TestPrometheus } from '../../test/helpers/prometheus.js';
import { getJson, postJson, startAlertReceiver, startTestAnalytics, type AlertReceiver, type TestAnalytics } from '../testing/harness.js';

// Five days of 5-minute load ending at a 5-minute boundary at least a minute ago; rules are evaluated just after it.
const STEP = 300;
const DAY = 86_400;
const end = Math.floor((Date.now() / 1000 - 60) / STEP) * STEP;
const evalAt = (end + 30) * 1000;
function lcg(seed: number) {
  let s = seed;
  return () => (s = (s * 1664525 + 1013904223) % 4294967296) / 4294967296 - 0.5;
}
/**
 * A daily cycle between 35 and 65 that, at `end`, is half-way up its afternoon climb (3.9 an hour, as
 * steep as it gets) to its high six hours later; `trendPerDay` lifts it day by day.
 */
const cycle = (t: number, trendPerDay: number) =>
  50 + (trendPerDay * (t - end)) / DAY - 15 * Math.cos((2 * Math.PI * (t - end + 6 * 3600)) / DAY);
function load(instance: string, trendPerDay: number, seed: number, days: number, every = STEP): BackfillSeries {
  const noise = lcg(seed);
  const samples: Array<[number, number]> = [];
  for (let t = end - days * DAY; t <= end; t += every) samples.push([t, Math.round((cycle(t, trendPerDay) + noise()) * 1000) / 1000]);
  return { name: 'vigil_test_load_percent', labels: { instance, job: 'app' }, samples };
}
/** The first second after `end` at which the noise-free cycle passes the line. */
function truth(trendPerDay: number, line: number): number {
  for (let s = 0; s <= DAY; s += 60) if (cycle(end + s, trendPerDay) > line) return s;
  return Infinity;
}

const diskNoise = lcg(3);

let prom: TestPrometheus;
let receiver: AlertReceiver;
let svc: TestAnalytics;

beforeAll(async () => {
  prom = await startPrometheus({
    backfill: [
      load('peak-1:9101', 0, 1, 5), // peaks at 65 in six hours, every day
      load('trend-1:9101', 3, 2, 5), // the same, 3 higher every day: yesterday's high was 62.75, this evening's (65.75) passes 63.5
      // Six hours of a disk filling at 5 %/h, 70 % now: too little history for the seasonal model.
      {
        name: 'vigil_test_disk_percent',
        labels: { instance: 'new-1:9101', job: 'agent' },
        samples: Array.from(
          { length: 361 },
          (_, i) => [end - 6 * 3600 + i * 60, Math.round((40 + (5 * i) / 60 + diskNoise()) * 1000) / 1000] as [number, number],
        ),
      },
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
  model: string;
  fallback: string | null;
  fires: boolean;
  confidence: number;
  value: number;
  crossingSeconds: number | null;
}

async function forecastOf(id: string, instance: string): Promise<ForecastView> {
  const rt = await svc.svc.engine.evaluate(id, evalAt);
  expect(rt?.lastError).toBeUndefined();
  const { body } = await getJson<{ forecasts: ForecastView[] }>(`${svc.url}/api/v1/forecasts?rule=${id}`);
  const f = body.forecasts.find((x) => x.labels.instance === instance);
  expect(f, `${id} has a forecast for ${instance}`).toBeDefined();
  return f!;
}

const rule = (id: string, instance: string, extra: Record<string, unknown>) =>
  postJson(`${svc.url}/api/v1/rules`, {
    id,
    name: id,
    kind: 'forecast',
    expr: `vigil_test_load_percent{instance="${instance}"}`,
    frequency: '1h',
    ...extra,
  });

describe('seasonal forecast rules against a real Prometheus with five days of history', () => {
  it('stays quiet before a daily peak that a straight line over the last two hours extrapolates into a false alert', async () => {
    const window = { lookback: '2h', points: 24, horizon: '6h', threshold: 70, minConfidence: 0.95 };
    expect((await rule('peak-default', 'peak-1:9101', window)).status).toBe(201);
    expect((await rule('peak-line', 'peak-1:9101', { ...window, model: 'theil-sen' })).status).toBe(201);
    const line = await forecastOf('peak-line', 'peak-1:9101');
    expect(line).toMatchObject({ ok: true, model: 'theil-sen', fires: true });
    const seasonal = await forecastOf('peak-default', 'peak-1:9101');
    // The default model is seasonal, it had the history it needs, and it knows the high stays near 65.
    expect(seasonal).toMatchObject({ ok: true, model: 'seasonal', fallback: null, fires: false });
    expect(seasonal.confidence).toBeLessThan(0.5);
    expect(Math.abs(seasonal.value - cycle(end + 6 * 3600, 0))).toBeLessThan(2);
    const rt = svc.svc.engine.runtime('peak-default')!;
    expect([...rt.states.values()].filter((s) => s.phase === 'firing')).toHaveLength(0);
  });

  it('replays the same way in a backtest: over the last day the line fires on the afternoon climb, the seasonal default never', async () => {
    type Backtest = {
      intervals: Array<{ labels: Record<string, string>; details: Record<string, string>; firedAt: string }>;
      evaluations: number;
    };
    const range = { from: end - DAY + 3600, to: end };
    const line = await postJson<Backtest>(`${svc.url}/api/v1/rules/peak-line/backtest`, range);
    const seasonal = await postJson<Backtest>(`${svc.url}/api/v1/rules/peak-default/backtest`, range);
    expect(line.status).toBe(200);
    expect(seasonal.status).toBe(200);
    expect(seasonal.body.evaluations).toBe(24);
    expect(line.body.intervals.length).toBeGreaterThan(0);
    expect(seasonal.body.intervals).toEqual([]);
  });

  it("fires when this evening's high will pass the line, at the time the cycle reaches it", async () => {
    expect(
      (await rule('trend-default', 'trend-1:9101', { lookback: '6h', points: 24, horizon: '6h', threshold: 63.5, minConfidence: 0.95 }))
        .status,
    ).toBe(201);
    const f = await forecastOf('trend-default', 'trend-1:9101');
    expect(f).toMatchObject({ ok: true, model: 'seasonal', fires: true });
    const at = truth(3, 63.5);
    expect(at).toBeGreaterThan(2 * 3600);
    expect(Math.abs(f.crossingSeconds! - at)).toBeLessThan(20 * 60);
    const rt = svc.svc.engine.runtime('trend-default')!;
    const firing = [...rt.states.values()].filter((s) => s.phase === 'firing');
    expect(firing.map((s) => s.labels.instance)).toEqual(['trend-1:9101']);
    expect(firing[0]!.details).toMatchObject({ model: 'seasonal' });
  });

  it('falls back to Theil–Sen for a series with six hours of history, with the same forecast a Theil–Sen rule makes', async () => {
    const spec = { kind: 'forecast', expr: 'vigil_test_disk_percent', lookback: '6h', horizon: '4h', threshold: 85, frequency: '1h' };
    expect((await postJson(`${svc.url}/api/v1/rules`, { id: 'fill-default', name: 'FillDefault', ...spec })).status).toBe(201);
    expect((await postJson(`${svc.url}/api/v1/rules`, { id: 'fill-line', name: 'FillLine', model: 'theil-sen', ...spec })).status).toBe(
      201,
    );
    const f = await forecastOf('fill-default', 'new-1:9101');
    const ts = await forecastOf('fill-line', 'new-1:9101');
    expect(f).toMatchObject({ ok: true, model: 'theil-sen', fires: true });
    expect(f.fallback).toMatch(/6\.0 h of history; the seasonal model needs 48 h/);
    expect({ ...f, rule: '', fallback: null }).toEqual({ ...ts, rule: '', fallback: null });
    expect(f.crossingSeconds! / 3600).toBeGreaterThan(2.5);
    expect(f.crossingSeconds! / 3600).toBeLessThan(3.5);
    const firing = [...svc.svc.engine.runtime('fill-default')!.states.values()].filter((s) => s.phase === 'firing');
    expect(firing[0]!.details).toMatchObject({ model: 'theil-sen', fallback: expect.stringMatching(/48 h/) });
  });

  it('keeps the history between evaluations: a second evaluation fetches only new points, counted as cache hits', async () => {
    const before = await (await fetch(`${svc.url}/metrics`)).text();
    const hits = (text: string) => Number(/vigil_analytics_cache_hits_total\{cache="anomaly_history"\} (\d+)/.exec(text)?.[1]);
    const misses = (text: string) => Number(/vigil_analytics_cache_misses_total\{cache="anomaly_history"\} (\d+)/.exec(text)?.[1]);
    const f = await (async () => {
      const rt = await svc.svc.engine.evaluate('peak-default', evalAt + 60_000);
      expect(rt?.lastError).toBeUndefined();
      return rt!.forecasts[0]!.forecast;
    })();
    expect(f.ok && f.model).toBe('seasonal');
    const after = await (await fetch(`${svc.url}/metrics`)).text();
    expect(hits(after) - hits(before)).toBe(1);
    expect(misses(after) - misses(before)).toBe(0);
  });
});
