import { describe, expect, it } from 'vitest';
import { AnomalyDetector } from './anomaly-detector.js';
import { cleanScale } from './robust-window.js';
import { seasonalValue } from './seasonal.js';

const STEP = 300;
let seed = 11;
const noise = () => (seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5;
const daily = (i: number) => 100 + 40 * Math.sin((2 * Math.PI * i) / 288);

/** Runs the detector over `n` points of f and returns its outputs. */
function run(n: number, f: (i: number) => number, params = {}) {
  const d = new AnomalyDetector(params);
  return Array.from({ length: n }, (_, i) => d.update(1_700_000_000 + i * STEP, f(i)));
}

describe('AnomalyDetector', () => {
  it('learns daily seasonality: the expected value follows the cycle and a clean series stays quiet', () => {
    const out = run(288 * 5, (i) => daily(i) + 2 * noise());
    const late = out.slice(288 * 3);
    expect(late.every((p) => p.period === 86_400)).toBe(true);
    // At the trough and the crest the expectation is the cycle's, not the mean.
    for (const i of [288 * 4 + 72, 288 * 4 + 216]) expect(Math.abs(out[i]!.expected - daily(i))).toBeLessThan(3);
    expect(late.filter((p) => p.alert)).toHaveLength(0);
    // A seasonal value is what the same phase looked like the day before (and its neighbours).
    const times = Float64Array.from({ length: 600 }, (_, i) => i * STEP);
    const values = Float64Array.from({ length: 600 }, (_, i) => daily(i));
    expect(seasonalValue(times, values, 600, 500 * STEP, 86_400, 4, STEP)).toBeCloseTo(daily(212), 0);
  });

  it('fires on a spike up and on a drop, with the direction, and scores 1.0 at the band edge', () => {
    const out = run(288 * 4, (i) => daily(i) + 2 * noise() + (i === 900 ? 80 : 0) - (i >= 1000 && i < 1020 ? 60 : 0));
    expect(out[900]).toMatchObject({ alert: true, direction: 'high' });
    expect(out[900]!.score).toBeGreaterThan(1);
    expect(out.slice(1000, 1005).some((p) => p.alert && p.direction === 'low')).toBe(true);
    const p = out[899]!;
    expect(p.upper - p.expected).toBeCloseTo(p.expected - p.lower, 9);
    expect(p.upper95 - p.expected).toBeLessThan(p.upper - p.expected);
  });

  it('respects the direction: a drop does not fire a high-only detector', () => {
    const out = run(800, (i) => 50 + noise() - (i >= 700 && i < 720 ? 30 : 0), { direction: 'high' });
    expect(out.slice(700, 720).some((p) => p.alert)).toBe(false);
  });

  it('keeps a minimum deviation floor: tiny absolute moves of a near-zero series do not fire', () => {
    // 0.3 % CPU jumping to 1.2 % (+300 %) against a 5-point floor.
    const out = run(800, (i) => (i >= 700 ? 1.2 : 0.3) + 0.01 * noise(), { minDeviation: 5 });
    expect(out.some((p) => p.alert)).toBe(false);
    const loose = run(800, (i) => (i >= 700 ? 1.2 : 0.3) + 0.01 * noise());
    expect(loose.slice(700, 710).some((p) => p.alert)).toBe(true);
  });

  it('is robust while history is short: no score before minPoints, a wide band just after', () => {
    const out = run(40, () => 10 + noise());
    expect(out.slice(0, 12).every((p) => p.score === 0 && !p.alert)).toBe(true);
    expect(out.some((p) => p.alert)).toBe(false);
  });

  it('alerts once per episode: the cooldown holds while the score stays high', () => {
    const out = run(1000, (i) => 10 + noise() + (i >= 600 && i < 610 ? 50 : 0));
    expect(out.flatMap((p, i) => (p.alert ? [i] : []))).toEqual([600]);
  });

  it('scores a burst of volatility that no single point makes anomalous (direction both only)', () => {
    let z = 5;
    const own = () => (z = (z * 16807) % 2147483647) / 2147483647 - 0.5;
    // Noise of ±0.5 for 1000 points, then ±3: no point is far outside, but the series is suddenly rough.
    const f = (i: number) => 10 + (i >= 1000 ? 6 : 1) * own();
    const out = run(1100, f, { tailFactor: 0, sensitivity: 50 });
    expect(out.slice(0, 1000).some((p) => p.alert)).toBe(false);
    expect(out.slice(1000, 1040).some((p) => p.alert)).toBe(true);
    z = 5;
    expect(
      run(1100, f, { tailFactor: 0, sensitivity: 50, direction: 'high' })
        .slice(1000)
        .some((p) => p.alert),
    ).toBe(false);
  });

  it('scores a stuck source: a flat run longer than every earlier one fires, a series flat from the start does not', () => {
    let z = 7;
    const own = () => (z = (z * 16807) % 2147483647) / 2147483647 - 0.5;
    // Writes that pause for 20 points now and then, then stop for good at 1000.
    const f = (i: number) => (i >= 1000 || i % 200 < 20 ? 0 : 50 + 10 * own());
    const out = run(1100, f, { volatilityPoints: 0 });
    const fired = out.flatMap((p, i) => (p.alert ? [i] : []));
    expect(fired.filter((i) => i >= 1000 && i < 1030)).toHaveLength(1);
    expect(fired.filter((i) => i >= 200 && i < 1000)).toHaveLength(0);
    expect(run(800, () => 45).some((p) => p.alert)).toBe(false);
    z = 7;
    expect(
      run(1100, f, { volatilityPoints: 0, flatPoints: 0 })
        .slice(1000)
        .some((p) => p.alert),
    ).toBe(false);
  });

  it('cleans the training window like seed 002: IQR-fenced deviation ignores outliers', () => {
    const a = Float64Array.from([...Array.from({ length: 200 }, () => noise()), 1000, -800]);
    expect(cleanScale(a, 0, a.length)).toBeLessThan(0.5);
  });
});
