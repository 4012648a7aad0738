import type { PrometheusClient } from '../../common/prometheus/client.js';
import { sampleValue, type Labels } from '../../common/prometheus/types.js';
import { forecastSeries, type Forecast } from '../models/forecast.js';
import { fetchSeriesPoints, planForecastQuery } from '../query/forecast-query.js';
import { blockCache } from '../query/block-cache.js';
import { candidatesPlan, nearTheLine, screenSeries, type NearTheLineOptions } from '../query/screen.js';
import { seriesKey, type Observation } from './alert-state.js';
import { parseDuration } from './duration.js';
import { forecastWindows, mergeWindows, type ForecastWindow } from './forecast-windows.js';
import type { Comparator, ForecastRuleSpec, RuleSpec, ThresholdRuleSpec } from './model.js';
import { ANNOTATION as A } from '../../common/alerting/index.js';
import { VigilError } from '../../common/errors.js';
import { evaluateAnomaly, newAnomalyCache, type AnomalyCache, type AnomalyRecord } from './anomaly-eval.js';
import { evaluateOutlier, type OutlierRecord } from './outlier-eval.js';
import { seasonalProfiles, withProfile, type ProfileSource } from './seasonal-history.js';

/** What an evaluation needs: the client, the evaluation time and a signal that aborts it. */
export interface EvalContext {
  client: PrometheusClient;
  /** Evaluation time, ms. */
  now: number;
  signal?: AbortSignal;
  /** Concurrent time shards for a forecast's range query (ANALYTICS_QUERY_SHARDS); default 1. */
  shards?: number;
  /** Screen forecast rules whose last evaluation saw more series than this (ANALYTICS_SCREEN_ABOVE_SERIES); 0: never. */
  screenAboveSeries?: number;
  /** Series the rule's previous evaluation saw. */
  previousSeries?: number;
  /** An anomaly rule's fitted detectors and history, kept between evaluations by the engine. */
  anomalyCache?: AnomalyCache;
  /**
   * Counts cache use, by cache: `anomaly_history` (an anomaly rule's series served from its kept history, or
   * fitted from fetched history) and `forecast_blocks` (a forecast window's block means reused, or fetched).
   */
  countCache?: (cache: 'anomaly_history' | 'forecast_blocks', hit: boolean, n: number) => void;
}

/** Candidates beyond which screening gives up and every series is fitted. */
const MAX_CANDIDATES = 2000;

/** One series' forecast from the last evaluation. */
export interface ForecastRecord {
  labels: Labels;
  metricName?: string;
  forecast: Forecast;
  /** The window the forecast comes from (the rule's own lookback and horizon when absent). */
  window?: ForecastWindow;
}

/** The outcome of one evaluation: what each series looked like, and the forecasts when the rule makes them. */
export interface Evaluation {
  observations: Observation[];
  forecasts?: ForecastRecord[];
  /** Anomaly rules: each series' latest point against its expected band. */
  anomalies?: AnomalyRecord[];
  /** Outlier rules: each member against its peers. */
  outliers?: OutlierRecord[];
}

/** seconds reads a duration that validation already accepted. */
export function seconds(d: string | number): number {
  return parseDuration(d) ?? 0;
}

/** compare applies a rule's comparator. */
export function compare(value: number, op: Comparator, line: number): boolean {
  switch (op) {
    case '>':
      return value > line;
    case '>=':
      return value >= line;
    case '<':
      return value < line;
    case '<=':
      return value <= line;
  }
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : v.toPrecision(6).replace(/\.?0+$/, ''));

/** thresholdObservation judges one value against a threshold rule, hysteresis included. */
export function thresholdObservation(rule: ThresholdRuleSpec, labels: Labels, value: number, metricName?: string): Observation {
  const resolve = rule.resolveValue ?? rule.value;
  // Once firing, the alert holds until the value is back past the resolve line.
  const hold = rule.op.startsWith('>') ? value >= resolve && !Number.isNaN(value) : value <= resolve && !Number.isNaN(value);
  const details: Record<string, string> = { [A.value]: fmt(value), [A.threshold]: fmt(rule.value), [A.op]: rule.op };
  if (rule.resolveValue !== undefined) details[A.resolveValue] = fmt(rule.resolveValue);
  if (metricName) details[A.metric] = metricName;
  return { labels, value, active: compare(value, rule.op, rule.value), hold: rule.resolveValue === undefined ? undefined : hold, details };
}

async function evaluateThreshold(rule: ThresholdRuleSpec, ctx: EvalContext): Promise<Evaluation> {
  const res = await ctx.client.query(rule.expr, { time: ctx.now / 1000, signal: ctx.signal });
  const d = res.data;
  if (d.resultType === 'scalar') return { observations: [thresholdObservation(rule, {}, sampleValue(d.result))] };
  if (d.resultType !== 'vector') {
    throw new VigilError(
      'RULE_EXPRESSION_TYPE',
      `the expression returns a ${d.resultType}; a threshold rule needs an instant vector or a scalar`,
      400,
    );
  }
  return {
    observations: d.result.map((s) => {
      const { __name__: name, ...labels } = s.metric;
      return thresholdObservation(rule, labels, sampleValue(s.value), name);
    }),
  };
}

/** forecastDetails renders a forecast for an alert's annotations. */
export function forecastDetails(
  rule: ForecastRuleSpec,
  f: Forecast & { ok: true },
  now: number,
  metricName?: string,
  window?: ForecastWindow,
): Record<string, string> {
  const d: Record<string, string> = {
    [A.threshold]: fmt(rule.threshold),
    [A.op]: rule.op,
    [A.current]: fmt(f.current),
    [A.forecastValue]: fmt(f.value),
    [A.forecastLower]: fmt(f.lower),
    [A.forecastUpper]: fmt(f.upper),
    [A.horizonSeconds]: String(window?.horizonSeconds ?? seconds(rule.horizon)),
    [A.lookbackSeconds]: String(window?.lookbackSeconds ?? seconds(rule.lookback)),
    [A.confidence]: f.confidence.toFixed(3),
    [A.model]: f.model,
  };
  if (f.fallback !== undefined) d[A.fallback] = f.fallback;
  if (f.crossingSeconds !== undefined) {
    d[A.crossingSeconds] = String(Math.round(f.crossingSeconds));
    d[A.crossingTime] = new Date(now + f.crossingSeconds * 1000).toISOString();
  }
  if (f.crossingEarliestSeconds !== undefined) d[A.crossingEarliest] = new Date(now + f.crossingEarliestSeconds * 1000).toISOString();
  if (f.crossingLatestSeconds !== undefined) d[A.crossingLatest] = new Date(now + f.crossingLatestSeconds * 1000).toISOString();
  if (metricName) d[A.metric] = metricName;
  return d;
}

/** forecastObservation turns a forecast into an observation; once firing, it holds while a crossing is still predicted with even odds. */
export function forecastObservation(rule: ForecastRuleSpec, rec: ForecastRecord, now: number): Observation | undefined {
  const f = rec.forecast;
  if (!f.ok) return undefined;
  const hold = f.crossingSeconds !== undefined && f.confidence >= 0.5;
  const o: Observation = { labels: rec.labels, value: f.value, active: f.fires, hold };
  // Only alerts carry details; rendering them for the thousands of quiet series would cost more than the fit.
  if (f.fires || hold) o.details = forecastDetails(rule, f, now, rec.metricName, rec.window);
  return o;
}

type WindowSeries = Awaited<ReturnType<typeof fetchSeriesPoints>>;

/**
 * fetchWindow asks Prometheus for one window's block means (after screening, for a large rule), or
 * takes them from the block cache when the window's blocks have not moved since a settled fetch.
 * Screened-out series come back as ready forecasts (`ok: false` with Prometheus's linear forecast).
 */
async function fetchWindow(
  rule: ForecastRuleSpec,
  w: ForecastWindow,
  ctx: EvalContext,
): Promise<{ series: WindowSeries; others: ForecastRecord[] }> {
  const nowS = ctx.now / 1000;
  const plan = planForecastQuery(rule.expr, w.lookbackSeconds, w.points, nowS, rule.aggregate);
  // Blocks aligned to multiples of the step, as the subquery returns them; the last one ends at or before now.
  plan.end = Math.floor(nowS / plan.step) * plan.step;
  plan.start = plan.end - (w.points - 1) * plan.step;
  const screen = (ctx.screenAboveSeries ?? 0) > 0 && (ctx.previousSeries ?? 0) > ctx.screenAboveSeries! && plan.metricName !== undefined;
  const key = `${screen ? 'screened' : 'all'} ${plan.query} ${plan.step}`;
  const cached = blockCache.get<{ series: WindowSeries; others: ForecastRecord[] }>(rule, w.index, key, plan.end);
  ctx.countCache?.('forecast_blocks', cached !== undefined, 1);
  if (cached) return cached;
  const others: ForecastRecord[] = [];
  let series: WindowSeries | undefined;
  if (w.index > 0 && plan.metricName !== undefined) {
    // A further window only matters where it predicts a crossing: fit just the series whose linear
    // forecast over the window comes near the line (the others keep the rule's own window's forecast).
    const near = await nearTheLine(ctx.client, rule.expr, { ...nearTheLineOptions(rule, w), now: nowS, signal: ctx.signal });
    if (near.length <= MAX_CANDIDATES) {
      const wanted = new Set(near.map((c) => seriesKey(c.labels)));
      const fetched = near.length
        ? await fetchSeriesPoints(ctx.client, candidatesPlan(plan, plan.metricName, near, rule.aggregate), ctx.signal, 1, 'subquery')
        : [];
      series = fetched.filter((s) => wanted.has(seriesKey(s.labels)));
    }
  } else if (screen) {
    // A large rule: Prometheus's predict_linear picks the series near their threshold; only those are fitted.
    const margin = Math.max(0.25 * Math.abs(rule.threshold), 1);
    const verdict = await screenSeries(ctx.client, rule.expr, {
      lookbackSeconds: w.lookbackSeconds,
      horizonSeconds: w.horizonSeconds,
      threshold: rule.threshold,
      dir: rule.op.startsWith('>') ? 1 : -1,
      margin,
      now: nowS,
      signal: ctx.signal,
    });
    if (verdict.candidates.length <= MAX_CANDIDATES) {
      const wanted = new Set(verdict.candidates.map((c) => seriesKey(c.labels)));
      const fetched = verdict.candidates.length
        ? await fetchSeriesPoints(
            ctx.client,
            candidatesPlan(plan, plan.metricName!, verdict.candidates, rule.aggregate),
            ctx.signal,
            1,
            'range',
          )
        : [];
      series = fetched.filter((s) => wanted.has(seriesKey(s.labels)));
      for (const s of verdict.others) {
        others.push({
          labels: s.labels,
          metricName: plan.metricName!,
          window: w,
          forecast: {
            ok: false,
            reason: `screened out: Prometheus's linear forecast (${s.linearValue.toPrecision(4)}) is more than ${margin} from the threshold`,
            points: 0,
            linearValue: s.linearValue,
          },
        });
      }
    }
  }
  series ??= await fetchSeriesPoints(ctx.client, plan, ctx.signal, ctx.shards ?? 1, 'subquery');
  const out = { series, others };
  blockCache.set(rule, w.index, key, plan.end, nowS, out);
  return out;
}

/** evaluateWindow fits one window of a forecast rule for every series. */
async function evaluateWindow(
  rule: ForecastRuleSpec,
  w: ForecastWindow,
  ctx: EvalContext,
  profiles?: ProfileSource,
): Promise<ForecastRecord[]> {
  const { series, others } = await fetchWindow(rule, w, ctx);
  const forecasts: ForecastRecord[] = [...others];
  const opts = windowOptions(rule, w, ctx.now / 1000);
  for (let i = 0; i < series.length; i++) {
    const s = series[i]!;
    const o = withProfile(opts, profiles?.(s.labels, w.horizonSeconds, w.lookbackSeconds));
    const rec: ForecastRecord = { labels: s.labels, forecast: forecastSeries(s.times, s.values, o), window: w };
    if (s.metricName) rec.metricName = s.metricName;
    forecasts.push(rec);
    // Let other rules and HTTP requests run between chunks of a large fit.
    if (i % 1000 === 999) {
      await new Promise<void>((r) => setImmediate(r));
      if (ctx.signal?.aborted) throw ctx.signal.reason ?? new Error('aborted');
    }
  }
  return forecasts;
}

/** nearTheLineOptions: a further window is fitted for the series whose linear forecast comes within 25 % of the line. */
export function nearTheLineOptions(rule: ForecastRuleSpec, w: ForecastWindow): NearTheLineOptions {
  return {
    lookbackSeconds: w.lookbackSeconds,
    horizonSeconds: w.horizonSeconds,
    threshold: rule.threshold,
    dir: rule.op.startsWith('>') ? 1 : -1,
    margin: Math.max(0.25 * Math.abs(rule.threshold), 1),
  };
}

/** windowOptions are forecastSeries's options for one window of a rule, evaluated at `now` (unix seconds). */
export function windowOptions(rule: ForecastRuleSpec, w: ForecastWindow, now: number) {
  return {
    model: rule.model,
    degree: rule.degree,
    horizonSeconds: w.horizonSeconds,
    threshold: rule.threshold,
    op: rule.op,
    minConfidence: w.minConfidence,
    counter: rule.counter,
    now,
    minPoints: Math.min(6, w.points),
  };
}

/**
 * evaluateForecast fits every window of the rule (one query each, asked at once so that Prometheus
 * answers a short window while this process parses a long one) and keeps, per series, the window with
 * the earliest confident crossing. A `seasonal` rule first brings its kept history up to date (one
 * range query; the whole history only at a refit) for the series' daily/weekly profiles.
 */
async function evaluateForecast(rule: ForecastRuleSpec, ctx: EvalContext): Promise<Evaluation> {
  let profiles: ProfileSource | undefined;
  if (rule.model === 'seasonal' && !rule.counter) {
    const cache = ctx.anomalyCache ?? newAnomalyCache();
    profiles = await seasonalProfiles(rule, {
      client: ctx.client,
      now: ctx.now,
      signal: ctx.signal,
      cache,
      countCache: ctx.countCache && ((hit, n) => ctx.countCache!('anomaly_history', hit, n)),
    });
  }
  const forecasts = mergeWindows(await Promise.all(forecastWindows(rule).map((w) => evaluateWindow(rule, w, ctx, profiles))));
  const observations: Observation[] = [];
  for (const rec of forecasts) {
    const o = forecastObservation(rule, rec, ctx.now);
    if (o) observations.push(o);
  }
  return { observations, forecasts };
}

/** evaluateRule runs one evaluation of a rule at `ctx.now`. */
export async function evaluateRule(rule: RuleSpec, ctx: EvalContext): Promise<Evaluation> {
  switch (rule.kind) {
    case 'threshold':
      return evaluateThreshold(rule, ctx);
    case 'forecast':
      return evaluateForecast(rule, ctx);
    case 'anomaly': {
      const r = await evaluateAnomaly(rule, {
        client: ctx.client,
        now: ctx.now,
        signal: ctx.signal,
        cache: ctx.anomalyCache ?? newAnomalyCache(),
        countCache: ctx.countCache && ((hit, n) => ctx.countCache!('anomaly_history', hit, n)),
      });
      return { observations: r.observations, anomalies: r.anomalies };
    }
    case 'outlier': {
      const r = await evaluateOutlier(rule, ctx);
      return { observations: r.observations, outliers: r.outliers };
    }
  }
}
