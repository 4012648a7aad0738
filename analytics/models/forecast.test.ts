import { describe, expect, it } from 'vitest';
import { diffSigma, forecastSeries, inflation, type ForecastOptions } from './forecast.js';
import { findLastReset } from './resets.js';
import { incompleteBeta, normalCdf, studentTCdf } from './robust-stats.js';

// Deterministic noise: a small LCG so failures reproduce.
function noise(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1664525 + 1013904223) % 4294967296;
    return s / 4294967296 - 0.5;
  };
}

const now = 1_700_000_000;
const opts: ForecastOptions = { model: 'theil-sen', horizonSeconds: 4 * 3600, threshold: 85, op: '>', minConfidence: 0.9, now };
/** 60 points over 6 h ending now. */
function series(f: (hoursAgo: number, i: number) => number) {
  const t: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < 60; i++) {
    const hoursAgo = 6 - (i * 6) / 59;
    t.push(now - hoursAgo * 3600);
    v.push(f(hoursAgo, i));
  }
  return { t, v };
}

describe('forecastSeries', () => {
  it('fires on a steady rise with a crossing time near the true one', () => {
    const r = noise(1);
    // 60 % now, +5 %/h: crosses 85 in 5 h; with a 6 h horizon it fires, crossing ≈ 18 000 s.
    const { t, v } = series((h) => 60 - 5 * h + r());
    const f = forecastSeries(t, v, { ...opts, horizonSeconds: 6 * 3600 });
    expect(f.ok && f.fires).toBe(true);
    if (!f.ok) return;
    expect(f.crossingSeconds).toBeGreaterThan(17_000);
    expect(f.crossingSeconds).toBeLessThan(19_000);
    expect(f.lower).toBeLessThan(f.value);
    expect(f.upper).toBeGreaterThan(f.value);
    expect(f.crossingEarliestSeconds!).toBeLessThanOrEqual(f.crossingSeconds!);
  });

  it('stays quiet when the crossing lies beyond the horizon', () => {
    const { t, v } = series((h) => 60 - 5 * h);
    const f = forecastSeries(t, v, opts); // crossing in 5 h, horizon 4 h
    expect(f.ok && f.fires).toBe(false);
    expect(f.ok && f.crossingSeconds).toBeUndefined();
  });

  it('stays quiet on a flat and on a noisy-but-level series near the line', () => {
    for (const [seed, amp] of [
      [2, 0],
      [3, 10],
      [4, 20],
    ] as const) {
      const r = noise(seed);
      const { t, v } = series(() => 78 + amp * r());
      const f = forecastSeries(t, v, opts);
      expect(f.ok && f.fires, `amp ${amp}`).toBe(false);
    }
  });

  it('ignores outliers with Theil–Sen and after cleaning for least squares', () => {
    for (const model of ['theil-sen', 'linear', 'polynomial'] as const) {
      const r = noise(5);
      const { t, v } = series((h, i) => (i % 9 === 4 ? 0 : 50 + r()));
      const f = forecastSeries(t, v, { ...opts, model });
      expect(f.ok && f.fires, model).toBe(false);
      if (f.ok && model !== 'polynomial') expect(Math.abs(f.value - 50)).toBeLessThan(3);
    }
  });

  it('fits after a reset so a sawtooth keeps its trend', () => {
    // Disk filling at 8 %/h, cleaned up 2 h ago from 84 % to 40 %: now 56 %, crosses 85 in ~3.6 h.
    const { t, v } = series((h) => (h > 2 ? 84 - 8 * (h - 2) : 40 + 8 * (2 - h)));
    const f = forecastSeries(t, v, opts);
    expect(f.ok && f.fires).toBe(true);
    if (f.ok) {
      expect(f.resetAt).toBeDefined();
      expect(f.crossingSeconds! / 3600).toBeCloseTo(29 / 8, 0);
    }
  });

  it('treats any decrease of a counter as a reset', () => {
    expect(findLastReset([1, 2, 3, 0, 1, 2], { direction: 1, counter: true })).toBe(3);
    expect(findLastReset([1, 2, 3, 4], { direction: 1, counter: true })).toBe(0);
    // A single dip is not a lasting shift for a gauge.
    expect(findLastReset([50, 51, 50, 0, 51, 50, 51, 50], { direction: 1, counter: false })).toBe(0);
  });

  it('needs enough points and says so', () => {
    const f = forecastSeries([now - 60, now], [1, 2], opts);
    expect(f.ok).toBe(false);
    if (!f.ok) expect(f.reason).toContain('at least 6');
  });

  it('watches falls with < (free space running out)', () => {
    const { t, v } = series((h) => 40 + 8 * h);
    const f = forecastSeries(t, v, { ...opts, op: '<', threshold: 15 });
    expect(f.ok && f.fires).toBe(true);
  });

  it('has a sound normal distribution function', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 6);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 4);
    expect(normalCdf(-3)).toBeCloseTo(0.00135, 4);
  });

  it('has a sound Student t distribution function (what a z-score becomes when σ comes from few points)', () => {
    // Table values: t(8) 0.999 = 4.501, t(8) 0.95 = 1.860, t(1) = Cauchy, t(22) 0.95 = 1.717.
    expect(studentTCdf(4.501, 8)).toBeCloseTo(0.999, 4);
    expect(studentTCdf(1.86, 8)).toBeCloseTo(0.95, 3);
    expect(studentTCdf(-1.86, 8)).toBeCloseTo(0.05, 3);
    expect(studentTCdf(1, 1)).toBeCloseTo(0.75, 6);
    expect(studentTCdf(1.717, 22)).toBeCloseTo(0.95, 3);
    expect(studentTCdf(0, 5)).toBeCloseTo(0.5, 9);
    expect(studentTCdf(2, 1000)).toBeCloseTo(normalCdf(2), 6);
    expect(incompleteBeta(0.5, 2, 2)).toBeCloseTo(0.5, 9);
    expect(incompleteBeta(0.3, 1, 1)).toBeCloseTo(0.3, 9);
  });

  it('measures noise from the steps and inflates the trend variance of wandering residuals', () => {
    // A straight line has no step noise, whatever its slope.
    expect(diffSigma([1, 3, 5, 7, 9, 11])).toBe(0);
    const r = noise(9);
    const iid = Array.from({ length: 200 }, () => 10 + r());
    // Uniform noise on [-0.5, 0.5] has σ ≈ 0.29.
    expect(diffSigma(iid)).toBeGreaterThan(0.2);
    expect(diffSigma(iid)).toBeLessThan(0.4);
    expect(inflation(iid.map((v) => v - 10))).toBeLessThan(1.5);
    // A slow wave: long runs on one side of the line.
    const wave = Array.from({ length: 20 }, (_, i) => Math.sin(i / 3));
    expect(inflation(wave)).toBeGreaterThan(5);
    expect(inflation([1, -1, 1, -1, 1, -1])).toBe(1);
    expect(inflation([0, 0, 0])).toBe(1);
  });

  describe('a short window (ten 30-second blocks, 15 minutes ahead, 99.9 %)', () => {
    const short: ForecastOptions = { ...opts, horizonSeconds: 900, minConfidence: 0.999 };
    const blocks = (f: (i: number) => number) => ({
      t: Array.from({ length: 10 }, (_, i) => now - 285 + 30 * i),
      v: Array.from({ length: 10 }, (_, i) => f(i)),
    });

    it('fires on a steady fast climb, with the crossing minutes ahead', () => {
      const r = noise(21);
      // One minute at 50 %, then four minutes climbing 3.5 %/min: 64 % now, crossing 85 in about 6 min.
      const { t, v } = blocks((i) => (i < 2 ? 50 : 50 + 1.75 * (i - 1)) + 2 * r());
      const f = forecastSeries(t, v, short);
      expect(f.ok && f.fires).toBe(true);
      if (f.ok) {
        expect(f.crossingSeconds! / 60).toBeGreaterThan(4);
        expect(f.crossingSeconds! / 60).toBeLessThan(8);
      }
    });

    it('means what its confidence says on flat noise: at most 0.5 % of windows fire at 99.9 %', () => {
      // Before the t distribution and the step-noise floor, 2.3 % of these windows fired (93 of 4000).
      const r = noise(42);
      let fires = 0;
      for (let k = 0; k < 4000; k++) {
        const { t, v } = blocks(() => 82 + 6 * (r() + r() + r()));
        const f = forecastSeries(t, v, short);
        if (f.ok && f.fires) fires++;
      }
      expect(fires).toBeLessThanOrEqual(20);
    });

    it('stays quiet on a series that wanders up for a few minutes with autocorrelated noise', () => {
      // A smooth bump (not a climb that keeps going): residuals of a line through it run in long streaks.
      const { t, v } = blocks((i) => 78 + 3 * Math.sin((i / 9) * Math.PI * 0.9));
      const f = forecastSeries(t, v, short);
      expect(f.ok && f.fires).toBe(false);
    });
  });
});
