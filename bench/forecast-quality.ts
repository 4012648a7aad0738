import { AnomalyDetector } from '../analytics/models/anomaly-detector.js';
import { forecastSeries, type ForecastModel } from '../analytics/models/forecast.js';
import { fitModel } from '../analytics/models/regression.js';
import { seasonalProfile } from '../analytics/models/seasonal-profile.js';
import { forecastWindows } from '../analytics/rules/forecast-windows.js';
import { windowOptions } from '../analytics/rules/evaluate.js';
import type { ForecastRuleSpec } from '../analytics/rules/model.js';
import { parseRule } from '../analytics/rules/parse.js';
import { seasonalDetector } from '../analytics/rules/seasonal-history.js';
import type { BenchRow } from './harness.js';
import type { NabFile } from './nab/data.js';

const HOUR = 3600;

/** Forecast quality over one file: 1-hour-ahead absolute errors per model and interval coverage. */
interface ForecastTally {
  err: Record<string, number>;
  covered: Record<string, number>;
  count: number;
  /** Rule forecasts the seasonal model made (the rest fell back to Theil–Sen). */
  seasonal: number;
}

/** What is measured: the detector's own forecast and the regressions over the trailing hour, then forecast rules as they run. */
export const FORECASTS = ['seasonal', 'theil-sen', 'linear', 'polynomial', 'rule theil-sen', 'rule seasonal'] as const;
const RULE_MODELS: Array<[string, ForecastModel]> = [
  ['rule theil-sen', 'theil-sen'],
  ['rule seasonal', 'seasonal'],
];

/** A forecast rule with the schema's defaults (6 h lookback in 12 block means), 1 h ahead, in the given model. */
function ruleOf(model: ForecastModel): ForecastRuleSpec {
  return parseRule({ name: 'bench', kind: 'forecast', expr: 'x', model, horizon: '1h', threshold: 1e308 }) as ForecastRuleSpec;
}

/**
 * blockMeans is what a forecast rule's query returns for a series at `now`: the mean of each
 * lookback/points block `(end − step, end]`, ends aligned to multiples of the step, placed at the
 * middle of its block (analytics/query/forecast-query.ts).
 */
function blockMeans(
  t: number[],
  v: number[],
  upto: number,
  now: number,
  lookback: number,
  points: number,
): { times: number[]; values: number[] } {
  const step = Math.max(1, Math.ceil(lookback / points));
  const last = Math.floor(now / step) * step;
  const times: number[] = [];
  const values: number[] = [];
  let j = upto;
  while (j > 0 && t[j - 1]! > last - points * step) j--;
  for (let k = points - 1; k >= 0; k--) {
    const end = last - k * step;
    let sum = 0;
    let n = 0;
    while (j <= upto && t[j]! <= end) {
      if (t[j]! > end - step) {
        sum += v[j]!;
        n++;
      }
      j++;
    }
    if (n > 0) {
      times.push(end - step / 2);
      values.push(sum / n);
    }
  }
  return { times, values };
}

function forecastQuality(f: NabFile): ForecastTally {
  const t = f.times.map((x) => x / 1000);
  const d = new AnomalyDetector();
  // The detector a seasonal forecast rule keeps for the series (its history length and step).
  const rd = seasonalDetector();
  const tally: ForecastTally = { err: { ols: 0 }, covered: {}, count: 0, seasonal: 0 };
  for (const m of FORECASTS) {
    tally.err[m] = 0;
    tally.covered[m] = 0;
  }
  const rules = RULE_MODELS.map(([name, model]) => [name, ruleOf(model)] as const);
  const w = forecastWindows(rules[0]![1])[0]!;
  // Forecast once an hour after a day of history, for the point nearest to one hour later.
  let next = t[0]! + 86_400;
  let j = 0;
  for (let i = 0; i < t.length; i++) {
    d.update(t[i]!, f.values[i]!);
    rd.update(t[i]!, f.values[i]!);
    if (t[i]! < next) continue;
    next = t[i]! + HOUR;
    while (j < t.length && t[j]! < t[i]! + HOUR) j++;
    if (j >= t.length) break;
    if (Math.abs(t[j]! - (t[i]! + HOUR)) > 600) continue;
    const actual = f.values[j]!;
    let from = i;
    while (from > 0 && t[from - 1]! > t[i]! - HOUR) from--;
    const xs = t.slice(from, i + 1);
    const ys = f.values.slice(from, i + 1);
    if (xs.length < 4) continue;
    // The baseline: an ordinary-least-squares line over the trailing hour, as predict_linear computes.
    const ols = fitModel(
      'linear',
      xs.map((x) => (x - t[i]!) / HOUR),
      ys,
    );
    const horizon = t[j]! - t[i]!;
    const preds: Record<string, { value: number; lower: number; upper: number }> = {};
    preds.seasonal = d.forecast(t[j]!);
    for (const m of ['theil-sen', 'linear', 'polynomial'] as const) {
      const r = forecastSeries(xs, ys, {
        model: m,
        horizonSeconds: horizon,
        threshold: Infinity,
        op: '>',
        minConfidence: 0.9,
        now: t[i]!,
        minPoints: 4,
      });
      if (r.ok) preds[m] = r;
    }
    // Forecast rules: the rule's block means and options, the seasonal profile as the engine builds it.
    const blocks = blockMeans(t, f.values, i, t[i]!, w.lookbackSeconds, w.points);
    const profile = seasonalProfile(rd, horizon, w.lookbackSeconds);
    let usedSeasonal = false;
    for (const [name, rule] of rules) {
      const o = {
        ...windowOptions(rule, { ...w, horizonSeconds: horizon }, t[i]!),
        ...(typeof profile === 'string' ? { profileProblem: profile } : { profile }),
      };
      const r = forecastSeries(blocks.times, blocks.values, o);
      if (!r.ok) continue;
      preds[name] = r;
      if (r.model === 'seasonal') usedSeasonal = true;
    }
    if (
      Object.values(preds).some((p) => !Number.isFinite(p.value) || !Number.isFinite(p.lower)) ||
      Object.keys(preds).length < FORECASTS.length
    )
      continue;
    tally.count++;
    if (usedSeasonal) tally.seasonal++;
    tally.err.ols! += Math.abs(ols.predict(horizon / HOUR) - actual);
    for (const m of FORECASTS) {
      const p = preds[m]!;
      tally.err[m]! += Math.abs(p.value - actual);
      if (actual >= p.lower && actual <= p.upper) tally.covered[m]!++;
    }
  }
  return tally;
}

/**
 * forecastQualityRows measures the 1-hour-ahead forecasts over the NAB files: per model, the mean
 * absolute error against an OLS line over the trailing hour (per-series geometric mean of the ratios)
 * and the coverage of the 95 % intervals. `seasonal`, `theil-sen`… are the detector's forecast and the
 * regressions over the trailing hour's raw points; `rule …` are forecast rules as the engine runs them.
 */
export function forecastQualityRows(files: NabFile[]): { rows: BenchRow[]; points: number; seasonalShare: number } {
  const tallies = files.map(forecastQuality);
  const ratios: Record<string, number[]> = {};
  const cover: Record<string, [number, number]> = {};
  for (const tl of tallies) {
    if (tl.count === 0 || !(tl.err.ols! > 0)) continue;
    for (const m of FORECASTS) {
      (ratios[m] ??= []).push(tl.err[m]! / tl.err.ols!);
      const c = (cover[m] ??= [0, 0]);
      c[0] += tl.covered[m]!;
      c[1] += tl.count;
    }
  }
  const geo = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(Math.max(x, 1e-9)), 0) / xs.length);
  const rows: BenchRow[] = [];
  for (const m of FORECASTS) {
    const r = geo(ratios[m] ?? []);
    const c = cover[m] ? (100 * cover[m][0]) / cover[m][1] : NaN;
    rows.push({ measure: `1 h forecast MAE, ${m} (per-series geo. mean)`, unit: '× OLS 1 h', vigil: r, target: '≤ 0.8×', met: r <= 0.8 });
    rows.push({ measure: `95 % interval coverage, ${m}`, unit: '%', vigil: c, target: '90–97 %', met: c >= 90 && c <= 97 });
  }
  const points = tallies.reduce((a, x) => a + x.count, 0);
  const seasonalShare = tallies.reduce((a, x) => a + x.seasonal, 0) / Math.max(1, points);
  rows.push({
    measure: 'rule seasonal: forecasts made by the seasonal model (rest: Theil–Sen fallback)',
    unit: '%',
    vigil: 100 * seasonalShare,
  });
  return { rows, points, seasonalShare };
}
