import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type BackfillSeries, type TestPrometheus } from '../../test/helpers/prometheus.js';
import { startTestAnalytics, type TestAnalytics } from '../testing/harness.js';

// Eight hours of disk usage every 15 s (a scrape interval) ending a minute ago; the shipped rules are evaluated at its end.
const end = Math.floor(Date.now() / 1000 / 60) * 60 - 60;
const start = end - 8 * 3600;
function lcg(seed: number) {
  let s = seed;
  return () => ((s = (s * 1664525 + 1013904223) % 4294967296) / 4294967296) - 0.5;
}
function disk(instance: string, f: (t: number, noise: number) => number, seed: number): BackfillSeries {
  const n = lcg(seed);
  const samples: Array<[number, number]> = [];
  for (let t = start; t <= end; t += 15) samples.push([t, Math.round(f(t, n()) * 100) / 100]);
  return { name: 'disk_usage_percent', labels: { instance, mountpoint: '/var/log', job: 'agent' }, samples };
}
// A runaway log: flat at 50 %, then from six minutes ago +3.5 %/min, so the 85 % line is crossed ten minutes after the climb began.
const climb = end - 360;
const fast = disk('fast:9101', (t, z) => (t < climb ? 50 + z : 50 + (3.5 * (t - climb)) / 60 + 0.3 * z), 1);
// A slow fill: +5 %/h, 80 % now, crossing in an hour.
const slow = disk('slow:9101', (t, z) => 40 + (5 * (t - start)) / 3600 + z, 2);
// Flat but noisy around 75 % (±8 %).
const noisy = disk('noisy:9101', (_t, z) => 75 + 16 * z, 3);
// Flat, quiet.
const flat = disk('flat:9101', (_t, z) => 60 + z, 4);

let prom: TestPrometheus;
let svc: TestAnalytics;

beforeAll(async () => {
  prom = await startPrometheus({ backfill: [fast, slow, noisy, flat] });
  svc = await startTestAnalytics({ prometheusUrl: prom.url, defaultRules: true });
});

afterAll(async () => {
  await svc?.close();
  await prom?.stop();
});

const firing = async (id: string, at: number) => {
  const rt = await svc.svc.engine.evaluate(id, at * 1000);
  expect(rt?.lastError).toBeUndefined();
  return Object.fromEntries([...rt!.states.values()].filter((s) => s.phase === 'firing').map((s) => [s.labels.instance, s.details]));
};

describe('the shipped disk forecasts: fast and slow trouble', () => {
  it('warns about a fast fill minutes before it crosses the line, and only about it', async () => {
    const f = await firing('disk-fill-fast', end + 5);
    expect(Object.keys(f)).toEqual(['fast:9101']);
    // Still 71 %, predicted to cross in about four minutes (85 % at climb + 10 min).
    const eta = Number(f['fast:9101']!.crossing_seconds);
    expect(eta).toBeGreaterThan(2 * 60);
    expect(eta).toBeLessThan(8 * 60);
    expect(Number(f['fast:9101']!.current)).toBeLessThan(80);
  });

  it('keeps the slow-trend forecast: the slow fill gets its warning hours ahead, the noisy and flat series stay quiet', async () => {
    const s = await firing('disk-fill-forecast', end + 5);
    expect(Object.keys(s)).toContain('slow:9101');
    expect(Object.keys(s)).not.toContain('noisy:9101');
    expect(Object.keys(s)).not.toContain('flat:9101');
    expect(Number(s['slow:9101']!.crossing_seconds)).toBeGreaterThan(40 * 60);
  });

  it('stays quiet on the noisy series at every minute of the last hour (the 99 % confidence gate)', async () => {
    for (let t = end - 3600; t <= end; t += 60) {
      const f = await firing('disk-fill-fast', t);
      expect({ t: t - end, firing: Object.keys(f).filter((k) => k === 'noisy:9101' || k === 'flat:9101') }).toEqual({ t: t - end, firing: [] });
    }
  });
});
