import { findLastReset } from './resets.js';
import { fitModel, type ModelName } from './regression.js';
import { MAD_TO_SIGMA, mad, median, studentTCdf } from './robust-stats.js';
import { theilSen } from './theil-sen.js';

/**
 * SeasonalProfile is what the seasonal model knows from days of history: the daily or weekly part of
 * the series at a time, and how far forecasts that far ahead have missed.
 */
export interface SeasonalProfile {
  /** The seasonal value at unix time t (the median at the same phase of earlier days or weeks); NaN where unknown. */
  at(t: number): number;
  /** 2.5 % and 97.5 % quantiles of past errors of forecasts made `horizonSeconds` ahead (added to the value). */
  errors: { lower: number; upper: number };
}

/** A model a forecast may use: a regression, or `seasonal` (a daily/weekly profile plus a Theil–Sen trend). */
export type ForecastModel = ModelName | 'seasonal';

/** How a forecast is made and judged. */
export interface ForecastOptions {
  model: ForecastModel;
  /** The seasonal model's profile; without one (or where it has gaps) `seasonal` falls back to Theil–Sen. */
  profile?: SeasonalProfile;
  /** Why there is no profile (shown as the fallback reason). */
  profileProblem?: string;
  degree?: number;
  /** How far ahead to predict, in seconds. */
  horizonSeconds: number;
  /** The line the series must not cross. */
  threshold: number;
  /** `>`/`>=` watch for a rise, `<`/`<=` for a fall. */
  op: '>' | '>=' | '<' | '<=';
  /** Probability below which the forecast does not fire (0.5–0.999). */
  minConfidence: number;
  /** The series is a counter (any decrease is a reset). */
  counter?: boolean;
  /** Evaluation time in unix seconds: x = 0. */
  now: number;
  /** Fewest points (after the last reset) worth fitting; default 6. */
  minPoints?: number;
}

/** A forecast for one series. */
export type Forecast =
  | {
      ok: true;
      /** The model that made it: `theil-sen` when `seasonal` was asked for and fell back. */
      model: ForecastModel;
      /** Why a `seasonal` forecast fell back to Theil–Sen (too little history, no seasonality found). */
      fallback?: string;
      /** Fitted value now. */
      current: number;
      /** Predicted value at the horizon and its 95 % prediction interval. */
      value: number;
      lower: number;
      upper: number;
      /** Trend per second (the model's slope, the derivative now for a polynomial, the mean slope over the horizon for `seasonal`). */
      slopePerSecond: number;
      /** Seconds from now until the fitted curve crosses the threshold (0 if already past), undefined if not within the horizon. */
      crossingSeconds?: number;
      /** Earliest and latest crossing from the interval's edges (seconds), when a crossing is predicted. */
      crossingEarliestSeconds?: number;
      crossingLatestSeconds?: number;
      /** Probability that the series is past the threshold at the horizon and trending towards it. */
      confidence: number;
      fires: boolean;
      /** Points fitted, and the unix time of the reset the fit starts after, if any. */
      points: number;
      resetAt?: number;
    }
  | {
      ok: false;
      reason: string;
      points: number;
      /** Prometheus's linear forecast at the horizon, for a series the screen left out. */
      linearValue?: number;
    };

const Z95 = 1.959964;
let scratchX = new Float64Array(64);
let scratchR = new Float64Array(64);

function firstCrossing(f: (x: number) => number, dir: number, threshold: number, xh: number): number | undefined {
  const past = (x: number) => dir * (f(x) - threshold) >= 0;
  if (past(0)) return 0;
  const steps = 64;
  let prev = 0;
  for (let i = 1; i <= steps; i++) {
    const x = (xh * i) / steps;
    if (past(x)) {
      let lo = prev;
      let hi = x;
      for (let k = 0; k < 30; k++) {
        const mid = (lo + hi) / 2;
        if (past(mid)) hi = mid;
        else lo = mid;
      }
      return hi;
    }
    prev = x;
  }
  return undefined;
}

let diffScratch = new Float64Array(64);

/**
 * diffSigma estimates the noise σ from the step-to-step changes (their MAD, over √2), which a trend
 * does not inflate and a wrong fit cannot shrink: with ten points the MAD of the residuals alone is
 * sometimes half the true noise, and a confidence computed from it is far too sure.
 */
export function diffSigma(y: ArrayLike<number>): number {
  const n = y.length;
  if (n < 3) return 0;
  if (diffScratch.length < n) diffScratch = new Float64Array(n * 2);
  const d = diffScratch.subarray(0, n - 1);
  for (let i = 1; i < n; i++) d[i - 1] = y[i]! - y[i - 1]!;
  return (MAD_TO_SIGMA * mad(d)) / Math.SQRT2;
}

/**
 * inflation is the variance inflation of a fitted trend when the residuals are autocorrelated (AR(1):
 * (1 + ρ) / (1 − ρ), ρ the lag-1 autocorrelation, capped at ρ = 0.9): a series that wanders — CPU
 * drifting up and down for minutes — shows runs of residuals on one side of the line that look like a
 * trend to a test that assumes independent noise. Independent noise leaves it near 1.
 */
export function inflation(residuals: ArrayLike<number>): number {
  const n = residuals.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    den += residuals[i]! * residuals[i]!;
    if (i > 0) num += residuals[i]! * residuals[i - 1]!;
  }
  if (!(den > 0)) return 1;
  const rho = Math.min(0.9, num / den);
  return rho > 0 ? (1 + rho) / (1 - rho) : 1;
}

/**
 * deseasonalise subtracts the profile from each point (dropping points at a phase the history lacks),
 * or says why the seasonal model cannot be used: a counter, no profile, a gap in it within the horizon,
 * or too few points it covers.
 */
function deseasonalise(
  t: Float64Array,
  v: Float64Array,
  o: ForecastOptions,
  minPoints: number,
): { t: Float64Array; v: Float64Array } | string {
  // A counter's level is its running total: earlier days at the same hour say nothing about it.
  if (o.counter) return 'a counter is forecast by Theil–Sen';
  const p = o.profile;
  if (!p) return o.profileProblem ?? 'no seasonal profile';
  for (let k = 0; k <= 16; k++)
    if (!Number.isFinite(p.at(o.now + (k * o.horizonSeconds) / 16))) return 'the seasonal profile has gaps within the horizon';
  const s = Float64Array.from(t, (ti) => p.at(ti));
  const keep = (_: number, i: number) => Number.isFinite(s[i]!);
  const tt = t.filter(keep);
  if (tt.length < minPoints) return `the seasonal profile covers ${tt.length} of the ${t.length} points`;
  const ss = s.filter((si) => Number.isFinite(si));
  return { t: tt, v: v.filter(keep).map((y, i) => y - ss[i]!) };
}

/**
 * forecastSeries fits a regression to one series and says whether, when and how surely it will cross
 * the threshold within the horizon. Robustness: history before the last reset (counter reset or
 * lasting level shift) is shifted onto today's level so the trend keeps it, Theil–Sen ignores up to ~29 % outliers and the other models are
 * fitted after dropping points more than 3.5 robust σ from a Theil–Sen line; the noise σ is the MAD of
 * the residuals. It fires only when the trend points at the threshold and both the trend and the
 * crossing are at least `minConfidence` likely, so a flat or noisy-but-level series stays quiet.
 * The `seasonal` model subtracts the profile from the points first, fits Theil–Sen to the rest, and
 * judges the path (trend plus profile) over the horizon: it fires when the path crosses the line, heads
 * there, and its likeliest moment past the line is `minConfidence` likely; without a usable profile it
 * is Theil–Sen, with the reason in `fallback`.
 */
export function forecastSeries(times: ArrayLike<number>, values: ArrayLike<number>, o: ForecastOptions): Forecast {
  const minPoints = o.minPoints ?? 6;
  const dir = o.op.startsWith('>') ? 1 : -1;
  let t = times instanceof Float64Array ? times : Float64Array.from(times);
  let v = values instanceof Float64Array ? values : Float64Array.from(values);
  let finite = 0;
  for (let i = 0; i < v.length; i++) if (Number.isFinite(v[i]!)) finite++;
  if (finite < v.length) {
    const all = v;
    t = t.filter((_, i) => Number.isFinite(all[i]!));
    v = v.filter((y) => Number.isFinite(y));
  }
  // The seasonal model fits its trend to what the daily/weekly profile leaves, and adds the profile back.
  const model: ModelName = o.model === 'seasonal' ? 'theil-sen' : o.model;
  let fallback: string | undefined;
  let season: ((xq: number) => number) | undefined;
  if (o.model === 'seasonal') {
    const d = deseasonalise(t, v, o, minPoints);
    if (typeof d === 'string') fallback = d;
    else {
      ({ t, v } = d);
      const p = o.profile!;
      season = (xq) => p.at(o.now + xq * 3600);
    }
  }
  const reset = findLastReset(v, { direction: dir as 1 | -1, counter: o.counter ?? false });
  const resetAt = reset > 0 ? t[reset] : undefined;
  if (v.length < minPoints || v.length - reset < 2) {
    return {
      ok: false,
      reason: `${v.length - reset} point(s)${resetAt ? ' since the last reset' : ''}; a forecast needs at least ${reset > 0 ? 2 : minPoints}`,
      points: v.length - reset,
    };
  }
  // x and the residuals live in reused buffers: nothing of them outlives this call.
  if (scratchX.length < t.length) {
    scratchX = new Float64Array(t.length * 2);
    scratchR = new Float64Array(t.length * 2);
  }
  let x = scratchX.subarray(0, t.length);
  for (let i = 0; i < t.length; i++) x[i] = (t[i]! - o.now) / 3600;
  let y = v;
  if (reset > 0) {
    // Stitch the history before the reset onto today's level: the same trend, shifted by the jump
    // (for a counter, what rate() does). Slope and levels come from a split Theil–Sen fit.
    const split = theilSen(x, y, undefined, reset);
    const shift = split.intercept - median(Array.from(y.subarray(0, reset), (yi, i) => yi - split.slope * x[i]!));
    y = Float64Array.from(y, (yi, i) => (i < reset ? yi + shift : yi));
  }
  if (model !== 'theil-sen') {
    // Drop gross outliers before a least-squares fit, judged against a robust line.
    const robust = fitModel('theil-sen', x, y);
    const r = y.map((yi, i) => yi - robust.predict(x[i]!));
    const s = MAD_TO_SIGMA * mad(r);
    if (s > 0) {
      const xs = x;
      x = xs.filter((_, i) => Math.abs(r[i]!) <= 3.5 * s);
      y = y.filter((_, i) => Math.abs(r[i]!) <= 3.5 * s);
    }
  }
  const fit = fitModel(model, x, y, o.degree ?? 2);
  const n = x.length;
  const residuals = scratchR.subarray(0, n);
  let xbar = 0;
  for (let i = 0; i < n; i++) {
    residuals[i] = y[i]! - fit.predict(x[i]!);
    xbar += x[i]!;
  }
  xbar /= n;
  let sxx = 0;
  for (let i = 0; i < n; i++) sxx += (x[i]! - xbar) ** 2;
  const scale = Math.max(1, Math.abs(y[n - 1]!));
  const sigma = Math.max(MAD_TO_SIGMA * mad(residuals), diffSigma(y), 1e-9 * scale);
  const xh = o.horizonSeconds / 3600;
  const vif = inflation(residuals);
  const sdAt = (xq: number) => sigma * Math.sqrt(1 + vif * (1 / n + (xq - xbar) ** 2 / sxx));
  const df = Math.max(1, n - 2);
  let value: number;
  let current: number;
  let confidence: number;
  let crossingH: number | undefined;
  let fires: boolean;
  let slope = fit.slope;
  let edge: (xq: number, side: 1 | -1) => number;
  if (season) {
    // The path is trend plus profile; its band is the wider of the regression's and the profile's past misses.
    const e = o.profile!.errors;
    const path = (xq: number) => fit.predict(xq) + season(xq);
    edge = (xq, side) => path(xq) + (side > 0 ? Math.max(Z95 * sdAt(xq), e.upper) : Math.min(-Z95 * sdAt(xq), e.lower));
    const sdE = (e.upper - e.lower) / (2 * Z95);
    value = path(xh);
    current = path(0);
    // Confidence: the likeliest moment past the line over the horizon (the path need not be monotone).
    let bestZ = -Infinity;
    let bestX = 0;
    for (let k = 0; k <= 64; k++) {
      const xq = (xh * k) / 64;
      const z = (dir * (path(xq) - o.threshold)) / Math.max(sdAt(xq), Number.isFinite(sdE) ? sdE : 0);
      if (z > bestZ) {
        bestZ = z;
        bestX = xq;
      }
    }
    confidence = studentTCdf(bestZ, df);
    crossingH = firstCrossing(path, dir, o.threshold, xh);
    slope = (value - current) / xh;
    // It fires when the path is heading for (or further past) the line at its likeliest moment.
    fires = crossingH !== undefined && dir * (path(bestX) - current) > 0 && confidence >= o.minConfidence;
  } else {
    edge = (xq, side) => fit.predict(xq) + side * Z95 * sdAt(xq);
    value = fit.predict(xh);
    const sdH = sdAt(xh);
    const trendZ = (dir * fit.slope) / (sigma * Math.sqrt(vif / sxx));
    const crossZ = (dir * (value - o.threshold)) / sdH;
    confidence = Math.min(studentTCdf(trendZ, df), studentTCdf(crossZ, df));
    current = fit.predict(0);
    if (dir * (current - o.threshold) >= 0) crossingH = 0;
    else if (fit.intercept !== undefined) {
      // A straight line crosses where it meets the threshold, if it heads there within the horizon.
      const at = dir * fit.slope > 0 ? (o.threshold - fit.intercept) / fit.slope : Infinity;
      crossingH = at <= xh ? at : undefined;
    } else crossingH = firstCrossing(fit.predict, dir, o.threshold, xh);
    fires = crossingH !== undefined && dir * fit.slope > 0 && confidence >= o.minConfidence;
  }
  const out: Forecast = {
    ok: true,
    model: season ? 'seasonal' : model,
    current,
    value,
    lower: edge(xh, -1),
    upper: edge(xh, 1),
    slopePerSecond: slope / 3600,
    confidence,
    fires,
    points: n,
  };
  if (resetAt !== undefined) out.resetAt = resetAt;
  if (fallback !== undefined) out.fallback = fallback;
  if (crossingH !== undefined) {
    out.crossingSeconds = crossingH * 3600;
  }
  if (crossingH !== undefined && (fires || confidence >= 0.5)) {
    // The band's crossings only matter for alerts; searching them for every series would cost more than the fit.
    const early = firstCrossing((xq) => edge(xq, dir as 1 | -1), dir, o.threshold, xh);
    const late = firstCrossing((xq) => edge(xq, -dir as 1 | -1), dir, o.threshold, xh);
    if (early !== undefined) out.crossingEarliestSeconds = early * 3600;
    if (late !== undefined) out.crossingLatestSeconds = late * 3600;
  }
  return out;
}
