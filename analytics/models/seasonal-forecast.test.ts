import { describe, expect, it } from 'vitest';
import { AnomalyDetector } from './anomaly-detector.js';
import { forecastSeries, type ForecastOptions } from './forecast.js';
import { seasonalProfile } from './seasonal-profile.js';

const DAY = 86_400;
const STEP = 300;
// A 5-minute boundary at midnight UTC, so phases are easy to read: t = now + h·3600 is h o'clock.
const now = 1_700_006_400;
let seed = 7;
const noise = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;

/** A detector fed `days` of history at 5 minutes ending at `now`. */
function detector(days: number, f: (t: number) => number): AnomalyDetector {
  const d = new AnomalyDetector({ historyPoints: (8 * DAY) / STEP + 1 });
  for (let t = now - days * DAY; t <= now; t += STEP) d.update(t, f(t));
  return d;
}

/** What a forecast rule fits: `points` block means over `lookback` seconds, at the middle of their blocks. */
function window(f: (t: number) => number, lookback: number, points: number) {
  const step = lookback / points;
  const times = Array.from({ length: points }, (_, i) => now - (points - 1 - i) * step - step / 2);
  return { times, values: times.map(f) };
}

/** Options of a seasonal rule with the detector's profile for the horizon. */
function opts(
  d: AnomalyDetector,
  lookback: number,
  o: Omit<ForecastOptions, 'now' | 'model' | 'minConfidence' | 'op'> & Partial<ForecastOptions>,
): ForecastOptions {
  const p = seasonalProfile(d, o.horizonSeconds, lookback);
  return {
    model: 'seasonal',
    op: '>',
    minConfidence: 0.95,
    now,
    ...o,
    ...(typeof p === 'string' ? { profileProblem: p } : { profile: p }),
  };
}

/** The first time after now (s from now, 1-minute resolution) at which g crosses the line. */
function trueCrossing(g: (t: number) => number, line: number, within: number): number | undefined {
  for (let s = 0; s <= within; s += 60) if (g(now + s) > line) return s;
  return undefined;
}

describe('seasonal forecast model', () => {
  // A daily cycle (low at 06:00, high at 18:00) on a level rising 3 per day, with noise.
  const clean = (t: number) => 50 + (3 * (t - now)) / DAY - 15 * Math.cos((2 * Math.PI * (t - now - 6 * 3600)) / DAY);
  const noisy = (t: number) => clean(t) + noise();

  it('predicts a seasonal series with a trend crossing its line at the right time, where a straight line is wrong', () => {
    // At noon the cycle is rising towards its evening high: the line (65.5) is crossed in the afternoon.
    const shifted = (t: number) => noisy(t + 12 * 3600);
    const d = detector(5, (t) => shifted(t));
    const w = window(shifted, 6 * 3600, 24);
    const truth = trueCrossing((t) => clean(t + 12 * 3600), 65.5, 6 * 3600)!;
    expect(truth).toBeGreaterThan(2 * 3600);
    const f = forecastSeries(w.times, w.values, opts(d, 6 * 3600, { horizonSeconds: 6 * 3600, threshold: 65.5 }));
    expect(f.ok).toBe(true);
    if (!f.ok) return;
    expect(f.model).toBe('seasonal');
    expect(f.fallback).toBeUndefined();
    expect(f.fires).toBe(true);
    expect(Math.abs(f.crossingSeconds! - truth)).toBeLessThan(20 * 60);
    expect(f.crossingEarliestSeconds!).toBeLessThanOrEqual(f.crossingSeconds!);
    expect(f.lower).toBeLessThan(f.value);
    expect(f.upper).toBeGreaterThan(f.value);
    // The value at the horizon is the evening's, not the morning's slope carried on.
    expect(Math.abs(f.value - clean(now + 18 * 3600))).toBeLessThan(3);
    const line = forecastSeries(w.times, w.values, {
      model: 'theil-sen',
      op: '>',
      minConfidence: 0.95,
      now,
      horizonSeconds: 6 * 3600,
      threshold: 65.5,
    });
    expect(line.ok && line.crossingSeconds !== undefined && Math.abs(line.crossingSeconds - truth) < 20 * 60).toBe(false);
  });

  it('stays quiet before a daily peak that a trailing-hour line extrapolates across the line', () => {
    // Noon, the cycle climbing 3.9 an hour towards its high of 67 at 18:00; the line is at 70.
    const shifted = (t: number) => noisy(t + 12 * 3600);
    const d = detector(5, shifted);
    const w = window(shifted, 2 * 3600, 24);
    const o = { horizonSeconds: 6 * 3600, threshold: 70 };
    const line = forecastSeries(w.times, w.values, { model: 'theil-sen', op: '>', minConfidence: 0.95, now, ...o });
    expect(line.ok && line.fires).toBe(true);
    const f = forecastSeries(w.times, w.values, opts(d, 2 * 3600, o));
    expect(f.ok && f.model).toBe('seasonal');
    expect(f.ok && f.fires).toBe(false);
    expect(f.ok && f.confidence).toBeLessThan(0.5);
  });

  it('stays quiet on a flat noisy series near the line with days of history', () => {
    for (const amp of [2, 10, 20]) {
      const flat = (t: number) => 78 + amp * noise() + 0 * t;
      const d = detector(3, flat);
      const w = window(flat, 6 * 3600, 24);
      const f = forecastSeries(w.times, w.values, opts(d, 6 * 3600, { horizonSeconds: 4 * 3600, threshold: 85 }));
      expect(f.ok && f.model, `amp ${amp}`).toBe('seasonal');
      expect(f.ok && f.fires, `amp ${amp}`).toBe(false);
    }
  });

  it('still fires on a slow trend in a series with days of history', () => {
    const rise = (t: number) => 60 + (5 * (t - now)) / 3600 + noise();
    const d = detector(3, rise);
    const w = window(rise, 6 * 3600, 24);
    const f = forecastSeries(w.times, w.values, opts(d, 6 * 3600, { horizonSeconds: 6 * 3600, threshold: 85 }));
    expect(f.ok && f.model).toBe('seasonal');
    expect(f.ok && f.fires).toBe(true);
    expect(f.ok && Math.abs(f.crossingSeconds! - 5 * 3600)).toBeLessThan(15 * 60);
  });

  it('falls back to Theil–Sen, exactly, when the history is too short', () => {
    const d = detector(1, noisy);
    const w = window(noisy, 6 * 3600, 24);
    const o = { horizonSeconds: 4 * 3600, threshold: 55 };
    const f = forecastSeries(w.times, w.values, opts(d, 3600, o));
    const ts = forecastSeries(w.times, w.values, { model: 'theil-sen', op: '>', minConfidence: 0.95, now, ...o });
    expect(f.ok && f.model).toBe('theil-sen');
    expect(f.ok && f.fallback).toMatch(/24\.0 h of history; the seasonal model needs 48 h/);
    expect({ ...f, fallback: undefined }).toEqual({ ...ts, fallback: undefined });
    // Without any profile (no history kept at all) the same.
    const none = forecastSeries(w.times, w.values, { model: 'seasonal', op: '>', minConfidence: 0.95, now, ...o });
    expect(none.ok && none.fallback).toBe('no seasonal profile');
    expect(none.ok && none.value).toBe(ts.ok && ts.value);
    // A counter never uses the profile.
    const total = (t: number) => 1e6 + (t - now) / 10;
    const c = window(total, 6 * 3600, 24);
    const counter = forecastSeries(c.times, c.values, { ...opts(detector(5, total), 6 * 3600, o), counter: true });
    expect(counter.ok && counter.fallback).toBe('a counter is forecast by Theil–Sen');
  });
});
