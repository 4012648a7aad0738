import { findLastReset } from './resets.js';
import { fitModel, type ModelName } from './regression.js';
import { MAD_TO_SIGMA, mad, normalCdf } from './robust-stats.js';

/** How a forecast is made and judged. */
export interface ForecastOptions {
  model: ModelName;
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
      /** Fitted value now. */
      current: number;
      /** Predicted value at the horizon and its 95 % prediction interval. */
      value: number;
      lower: number;
      upper: number;
      /** Trend per second (the model's slope, or derivative now for a polynomial). */
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
  | { ok: false; reason: string; points: number };

const Z95 = 1.959964;

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

/**
 * forecastSeries fits a regression to one series and says whether, when and how surely it will cross
 * the threshold within the horizon. Robustness: the fit starts after the last reset (counter reset or
 * lasting level shift), Theil–Sen (the default) ignores up to ~29 % outliers and the other models are
 * fitted after dropping points more than 3.5 robust σ from a Theil–Sen line; the noise σ is the MAD of
 * the residuals. It fires only when the trend points at the threshold and both the trend and the
 * crossing are at least `minConfidence` likely, so a flat or noisy-but-level series stays quiet.
 */
export function forecastSeries(times: ArrayLike<number>, values: ArrayLike<number>, o: ForecastOptions): Forecast {
  const minPoints = o.minPoints ?? 6;
  const dir = o.op.startsWith('>') ? 1 : -1;
  let t: number[] = [];
  let v: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const y = values[i]!;
    if (Number.isFinite(y)) {
      t.push(times[i]!);
      v.push(y);
    }
  }
  const reset = findLastReset(v, { direction: dir as 1 | -1, counter: o.counter ?? false });
  const resetAt = reset > 0 ? t[reset] : undefined;
  if (reset > 0) {
    t = t.slice(reset);
    v = v.slice(reset);
  }
  if (v.length < minPoints) {
    return { ok: false, reason: `${v.length} point(s)${resetAt ? ' since the last reset' : ''}; a forecast needs at least ${minPoints}`, points: v.length };
  }
  let x = t.map((ti) => (ti - o.now) / 3600);
  let y = v;
  if (o.model !== 'theil-sen') {
    // Drop gross outliers before a least-squares fit, judged against a robust line.
    const robust = fitModel('theil-sen', x, y);
    const r = y.map((yi, i) => yi - robust.predict(x[i]!));
    const s = MAD_TO_SIGMA * mad(r);
    if (s > 0) {
      const keep = r.map((ri) => Math.abs(ri) <= 3.5 * s);
      x = x.filter((_, i) => keep[i]);
      y = y.filter((_, i) => keep[i]);
    }
  }
  const fit = fitModel(o.model, x, y, o.degree ?? 2);
  const n = x.length;
  const residuals = y.map((yi, i) => yi - fit.predict(x[i]!));
  const scale = Math.max(1, Math.abs(y[n - 1]!));
  const sigma = Math.max(MAD_TO_SIGMA * mad(residuals), 1e-9 * scale);
  let xbar = 0;
  for (const xi of x) xbar += xi;
  xbar /= n;
  let sxx = 0;
  for (const xi of x) sxx += (xi - xbar) ** 2;
  const xh = o.horizonSeconds / 3600;
  const sdAt = (xq: number) => sigma * Math.sqrt(1 + 1 / n + (xq - xbar) ** 2 / sxx);
  const value = fit.predict(xh);
  const sdH = sdAt(xh);
  const trendZ = (dir * fit.slope) / (sigma / Math.sqrt(sxx));
  const crossZ = (dir * (value - o.threshold)) / sdH;
  const confidence = Math.min(normalCdf(trendZ), normalCdf(crossZ));
  const crossingH = dir * fit.slope > 0 || dir * (fit.predict(0) - o.threshold) >= 0 ? firstCrossing(fit.predict, dir, o.threshold, xh) : undefined;
  const fires = crossingH !== undefined && dir * fit.slope > 0 && confidence >= o.minConfidence;
  const out: Forecast = {
    ok: true,
    current: fit.predict(0),
    value,
    lower: value - Z95 * sdH,
    upper: value + Z95 * sdH,
    slopePerSecond: fit.slope / 3600,
    confidence,
    fires,
    points: n,
  };
  if (resetAt !== undefined) out.resetAt = resetAt;
  if (crossingH !== undefined) {
    out.crossingSeconds = crossingH * 3600;
    const early = firstCrossing((xq) => fit.predict(xq) + dir * Z95 * sdAt(xq), dir, o.threshold, xh);
    const late = firstCrossing((xq) => fit.predict(xq) - dir * Z95 * sdAt(xq), dir, o.threshold, xh);
    if (early !== undefined) out.crossingEarliestSeconds = early * 3600;
    if (late !== undefined) out.crossingLatestSeconds = late * 3600;
  }
  return out;
}
