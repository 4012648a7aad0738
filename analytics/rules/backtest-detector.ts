import type { PrometheusClient } from '../../common/prometheus/client.js';
import { sampleValue } from '../../common/prometheus/types.js';
import { InvalidParameterError } from '../errors.js';
import { AnomalyDetector } from '../models/anomaly-detector.js';
import { rangePieces } from '../query/range-pieces.js';
import type { Observation } from './alert-state.js';
import { anomalyParamsSchema, outlierParamsSchema } from './detector-params.js';
import { detectorDetails } from './detector-text.js';
import type { DetectorRuleSpec } from './model.js';
import { fetchWindow, outlierObservations, scoreGroups, windowMedian } from './outlier-eval.js';

/** Most detector updates (series × points) or window medians (series × evaluations) a backtest may cost. */
const MAX_WORK = 2_000_000;

/** A replay plan: the evaluation times and the observations at each. */
export interface ReplayPlan {
  step: number;
  times: number[];
  series: number;
  observationsAt(t: number): Observation[];
}

/**
 * planAnomalyBacktest fetches `history` before `from` and the range itself at the rule's step, runs
 * each series through a detector as the live rule would (every point judged against the points
 * before it), and replays the result at each step of the range.
 */
export async function planAnomalyBacktest(
  rule: DetectorRuleSpec,
  from: number,
  to: number,
  client: PrometheusClient,
  signal?: AbortSignal,
): Promise<ReplayPlan> {
  const p = anomalyParamsSchema.parse(rule.params);
  const start = Math.floor((from - p.history) / p.step) * p.step;
  const end = Math.floor(to / p.step) * p.step;
  const points = Math.floor((end - start) / p.step) + 1;
  const byTime = new Map<number, Observation[]>();
  const detectors = new Map<string, { d: AnomalyDetector; last: number; metricName?: string }>();
  let series = 0;
  for await (const result of rangePieces(client, rule.expr, start, end, p.step, signal)) {
    if (result.length * points > MAX_WORK) {
      throw new InvalidParameterError(
        `this backtest would run ${result.length} series over ${points} points; narrow the range, the history or the expression (at most ${MAX_WORK})`,
      );
    }
    for (const s of result) {
      const { __name__: name, ...labels } = s.metric;
      const key = JSON.stringify(labels);
      let st = detectors.get(key);
      if (!st) {
        st = {
          d: new AnomalyDetector({
            direction: p.direction,
            sensitivity: p.sensitivity,
            minDeviation: p.minDeviation,
            minRelativeDeviation: p.minRelativeDeviation,
            historyPoints: Math.ceil(p.history / p.step) + 1,
          }),
          last: -Infinity,
        };
        if (name) st.metricName = name;
        detectors.set(key, st);
        series++;
      }
      for (const pair of s.values) {
        const t = pair[0];
        const v = sampleValue(pair);
        if (t <= st.last || !Number.isFinite(v)) continue;
        st.last = t;
        const r = st.d.update(t, v);
        if (t < from) continue;
        const rec = { labels, value: v, ...r, ...(st.metricName ? { metricName: st.metricName } : {}) };
        const o: Observation = { labels, value: v, active: r.score >= 1, hold: r.score >= p.resolveScore };
        if (o.active || o.hold) o.details = detectorDetails(rec, p, 'anomaly');
        (byTime.get(t) ?? byTime.set(t, []).get(t)!).push(o);
      }
    }
  }
  const times: number[] = [];
  for (let t = Math.ceil(from / p.step) * p.step; t <= end; t += p.step) times.push(t);
  return { step: p.step, times, series, observationsAt: (t) => byTime.get(t) ?? [] };
}

/** planOutlierBacktest fetches the range (plus one window) and scores the peer groups at each evaluation time. */
export async function planOutlierBacktest(
  rule: DetectorRuleSpec,
  from: number,
  to: number,
  client: PrometheusClient,
  signal?: AbortSignal,
): Promise<ReplayPlan> {
  const p = outlierParamsSchema.parse(rule.params);
  const window = Math.max(p.window, p.step);
  const step = Math.max(p.step, Math.ceil((to - from) / 500));
  if ((to - from + window) / p.step > 10_000)
    throw new InvalidParameterError(`an outlier backtest reads at most 10,000 points per series; narrow the range (step ${p.step} s)`);
  const series = await fetchWindow(client, rule.expr, from - window, to, p.step, signal);
  const times: number[] = [];
  for (let t = from; t <= to; t += step) times.push(t);
  if (series.length * times.length > MAX_WORK)
    throw new InvalidParameterError(
      `this backtest would score ${series.length} series at ${times.length} times; narrow the range (at most ${MAX_WORK})`,
    );
  return {
    step,
    times,
    series: series.length,
    observationsAt: (t) =>
      outlierObservations(
        scoreGroups(
          series.map((s) => ({
            labels: s.labels,
            ...(s.metricName ? { metricName: s.metricName } : {}),
            value: windowMedian(s, t, window),
          })),
          p,
        ),
        p,
      ),
  };
}
