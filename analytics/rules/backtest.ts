import type { PrometheusClient } from '../../common/prometheus/client.js';
import { sampleValue, type Labels } from '../../common/prometheus/types.js';
import { InvalidParameterError } from '../errors.js';
import { planAnomalyBacktest, planOutlierBacktest } from './backtest-detector.js';
import { forecastSeries } from '../models/forecast.js';
import { fetchSeriesPoints, planForecastQuery } from '../query/forecast-query.js';
import { nearTheLineQuery } from '../query/screen.js';
import { advance, seriesKey, type AlertState, type Observation } from './alert-state.js';
import { forecastObservation, nearTheLineOptions, seconds, thresholdObservation, windowOptions, type ForecastRecord } from './evaluate.js';
import { forecastWindows, mergeWindows } from './forecast-windows.js';
import { seasonalReplay, withProfile } from './seasonal-history.js';
import type { ForecastRuleSpec, Rule, ThresholdRuleSpec } from './model.js';

/** One stretch of time a rule would have fired for one series. */
export interface BacktestInterval {
  labels: Labels;
  /** When the condition started to hold (pending began). */
  activeAt: string;
  firedAt: string;
  /** null when it was still firing at the end of the range. */
  resolvedAt: string | null;
  /** The alert's facts when it fired (value, threshold, forecast, crossing time…). */
  details: Record<string, string>;
}

/** The result of a backtest. */
export interface BacktestResult {
  rule: string;
  from: string;
  to: string;
  /** Seconds between simulated evaluations. */
  step: number;
  evaluations: number;
  series: number;
  intervals: BacktestInterval[];
}

/** Largest backtest range. */
export const MAX_BACKTEST_SECONDS = 31 * 86_400;
const MAX_FORECAST_WORK = 2_000_000; // series × evaluations
/** Most blocks per series a forecast backtest fetches (ten queries of MAX_POINTS_PER_QUERY); the shipped rules need at most 30,000. */
const MAX_FORECAST_POINTS = 100_000;

function replay(times: number[], observationsAt: (t: number) => Observation[], forSeconds: number): BacktestInterval[] {
  const states = new Map<string, AlertState>();
  const open = new Map<string, BacktestInterval>();
  const done: BacktestInterval[] = [];
  for (const t of times) {
    for (const { state, from } of advance(states, observationsAt(t), t * 1000, forSeconds)) {
      if (state.phase === 'firing' && from !== 'firing') {
        open.set(state.key, {
          labels: state.labels,
          activeAt: new Date(state.activeAt).toISOString(),
          firedAt: new Date(t * 1000).toISOString(),
          resolvedAt: null,
          details: { ...state.details },
        });
      } else if (from === 'firing' && state.phase === 'resolved') {
        const iv = open.get(state.key);
        if (iv) {
          iv.resolvedAt = new Date(t * 1000).toISOString();
          done.push(iv);
          open.delete(state.key);
        }
      }
    }
  }
  return [...done, ...open.values()].sort((a, b) => a.firedAt.localeCompare(b.firedAt));
}

async function backtestThreshold(rule: ThresholdRuleSpec, from: number, to: number, client: PrometheusClient, signal?: AbortSignal) {
  const step = Math.max(seconds(rule.frequency), Math.ceil((to - from) / 10_000));
  const res = await client.queryRange(rule.expr, from, to, step, { signal });
  const byTime = new Map<number, Observation[]>();
  for (const s of res.data.result) {
    const { __name__: name, ...labels } = s.metric;
    for (const p of s.values) {
      const list = byTime.get(p[0]) ?? [];
      list.push(thresholdObservation(rule, labels, sampleValue(p), name));
      byTime.set(p[0], list);
    }
  }
  const times: number[] = [];
  for (let t = from; t <= to; t += step) times.push(t);
  return {
    step,
    evaluations: times.length,
    series: res.data.result.length,
    intervals: replay(times, (t) => byTime.get(t) ?? [], seconds(rule.for)),
  };
}

async function backtestForecast(rule: ForecastRuleSpec, from: number, to: number, client: PrometheusClient, signal?: AbortSignal) {
  const step = Math.max(seconds(rule.frequency), Math.ceil((to - from) / 500));
  const windows = forecastWindows(rule);
  // Per window, the same block means the live rule fits, over the whole range plus one lookback before it.
  const fetched = await Promise.all(
    windows.map(async (w) => {
      const plan = planForecastQuery(rule.expr, w.lookbackSeconds, w.points, to, rule.aggregate);
      // Blocks aligned to multiples of the step, as the live rule's subquery returns them.
      plan.end = Math.floor(to / plan.step) * plan.step;
      plan.start = plan.end - Math.ceil((plan.end - from + w.lookbackSeconds) / plan.step) * plan.step;
      const blocks = (plan.end - plan.start) / plan.step + 1;
      if (blocks > MAX_FORECAST_POINTS) {
        throw new InvalidParameterError(
          `this backtest would fetch ${Math.round(blocks)} blocks of ${plan.step} s per series (lookback / points); narrow the range or raise the rule's lookback/points ratio (at most ${MAX_FORECAST_POINTS})`,
        );
      }
      // Longer ranges than Prometheus's 11,000 points per query are fetched in pieces (see fetchSeriesPoints).
      // As live, a further window is fitted only where the series' linear forecast over it comes near the line.
      const near = w.index > 0 && plan.metricName !== undefined ? new Map<string, Set<number>>() : undefined;
      const [series, nearRes] = await Promise.all([
        fetchSeriesPoints(client, plan, signal),
        near ? client.queryRange(nearTheLineQuery(rule.expr, nearTheLineOptions(rule, w)), from, to, step, { signal }) : undefined,
      ]);
      for (const r of nearRes?.data.result ?? []) {
        const { __name__: _n, ...labels } = r.metric;
        near!.set(seriesKey(labels), new Set(r.values.map((p) => p[0])));
      }
      return { w, half: plan.step / 2, series, near };
    }),
  );
  const times: number[] = [];
  for (let t = from; t <= to; t += step) times.push(t);
  const fits = fetched.reduce((n, f) => n + f.series.length, 0) * times.length;
  if (fits > MAX_FORECAST_WORK) {
    throw new InvalidParameterError(
      `this backtest would make ${fits} fits (series × windows × times); narrow the range or the rule's expression (at most ${MAX_FORECAST_WORK} fits)`,
    );
  }
  // A seasonal rule's profiles, as its kept history would have given them at each time.
  const replayProfiles = rule.model === 'seasonal' && !rule.counter ? await seasonalReplay(rule, from, to, client, signal) : undefined;
  const observationsAt = (t: number): Observation[] => {
    const profiles = replayProfiles?.(t);
    const perWindow = fetched.map(({ w, half, series, near }) =>
      series
        .filter((s) => !near || near.get(seriesKey(s.labels))?.has(t))
        .map((s): ForecastRecord => {
          // The blocks that had ended by t (times are block middles), as the live rule sees them.
          let lo = 0;
          while (lo < s.times.length && s.times[lo]! + half <= t - w.lookbackSeconds) lo++;
          let hi = lo;
          while (hi < s.times.length && s.times[hi]! + half <= t) hi++;
          const o = withProfile(windowOptions(rule, w, t), profiles?.(s.labels, w.horizonSeconds, w.lookbackSeconds));
          const forecast = forecastSeries(s.times.subarray(lo, hi), s.values.subarray(lo, hi), o);
          return { labels: s.labels, forecast, window: w, ...(s.metricName ? { metricName: s.metricName } : {}) };
        }),
    );
    const out: Observation[] = [];
    for (const rec of mergeWindows(perWindow)) {
      const o = forecastObservation(rule, rec, t * 1000);
      if (o) out.push(o);
    }
    return out;
  };
  return {
    step,
    evaluations: times.length,
    series: fetched[0]?.series.length ?? 0,
    intervals: replay(times, observationsAt, seconds(rule.for)),
  };
}

/**
 * backtest replays a rule over history (`from`..`to`, unix seconds) with the live evaluation's logic
 * and state machine, and returns when it would have fired and resolved, per series.
 */
export async function backtest(
  rule: Rule,
  from: number,
  to: number,
  client: PrometheusClient,
  signal?: AbortSignal,
): Promise<BacktestResult> {
  if (!(to > from)) throw new InvalidParameterError('"to" must be after "from"');
  if (to - from > MAX_BACKTEST_SECONDS) throw new InvalidParameterError(`a backtest covers at most ${MAX_BACKTEST_SECONDS / 86_400} days`);
  let r;
  if (rule.kind === 'threshold') r = await backtestThreshold(rule, from, to, client, signal);
  else if (rule.kind === 'forecast') r = await backtestForecast(rule, from, to, client, signal);
  else {
    const plan = await (rule.kind === 'anomaly' ? planAnomalyBacktest : planOutlierBacktest)(rule, from, to, client, signal);
    r = {
      step: plan.step,
      evaluations: plan.times.length,
      series: plan.series,
      intervals: replay(plan.times, plan.observationsAt, seconds(rule.for)),
    };
  }
  return { rule: rule.id, from: new Date(from * 1000).toISOString(), to: new Date(to * 1000).toISOString(), ...r };
}
