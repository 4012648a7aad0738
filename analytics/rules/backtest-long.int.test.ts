import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type BackfillSeries, type TestPrometheus } from '../../test/helpers/prometheus.js';
import { postJson, startTestAnalytics, type TestAnalytics } from '../testing/harness.js';

// 32 days of one host at 1-minute resolution, ending a minute ago: a 31-day backtest is what the README promises.
const DAY = 86_400;
const end = Math.floor(Date.now() / 1000 / 60) * 60 - 60;
const start = end - 32 * DAY;
const memoryRamp = end - 20 * DAY; // memory climbs from 50 % to 98 % over 6 h, then is freed
const cpuRamp = end - 9 * DAY; // CPU climbs from 20 % to 100 % over 8 h, then settles

function series(name: string, f: (t: number) => number): BackfillSeries {
  const samples: Array<[number, number]> = [];
  for (let t = start, i = 0; t <= end; t += 60, i++) samples.push([t, Math.round((f(t) + ((i * 7919) % 13) / 13) * 100) / 100]);
  return { name, labels: { instance: 'web-1:9101', job: 'agent' }, samples };
}
const ramp = (t: number, at: number, hours: number, from: number, to: number) =>
  t >= at && t < at + hours * 3600 ? from + ((to - from) * (t - at)) / (hours * 3600) : from;

interface Backtest {
  evaluations: number;
  series: number;
  intervals: Array<{ firedAt: string; labels: Record<string, string> }>;
}
interface ErrorBody {
  error: { code: string; message: string };
}

let prom: TestPrometheus;
let svc: TestAnalytics;
beforeAll(async () => {
  prom = await startPrometheus({
    backfill: [
      series('memory_usage_percent', (t) => ramp(t, memoryRamp, 6, 50, 98)),
      series('cpu_usage_percent', (t) => ramp(t, cpuRamp, 8, 20, 100)),
    ],
  });
  svc = await startTestAnalytics({ prometheusUrl: prom.url, defaultRules: true });
}, 300_000);
afterAll(async () => {
  await svc?.close();
  await prom?.stop();
});

describe('31-day backtests of the shipped forecast rules (real Prometheus, backfilled)', () => {
  it.each([
    ['memory-forecast', memoryRamp, 6],
    ['cpu-forecast', cpuRamp, 8],
  ])('%s covers 31 days and finds the one ramp', async (rule, rampAt, hours) => {
    const r = await postJson<Backtest & ErrorBody>(`${svc.url}/api/v1/rules/${rule}/backtest`, { from: end - 31 * DAY, to: end });
    expect(r.body.error, JSON.stringify(r.body.error)).toBeUndefined();
    expect(r.status).toBe(200);
    expect(r.body.series).toBe(1);
    expect(r.body.evaluations).toBeGreaterThan(400);
    expect(r.body.intervals.length).toBeGreaterThan(0);
    for (const iv of r.body.intervals) {
      const fired = Date.parse(iv.firedAt) / 1000;
      // Fired during the ramp (or within one simulated evaluation step after it), never on the flat days.
      expect(fired).toBeGreaterThanOrEqual(rampAt);
      expect(fired).toBeLessThanOrEqual(rampAt + hours * 3600 + (31 * DAY) / 500 + 60);
    }
  });
});
