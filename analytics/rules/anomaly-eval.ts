import type { PrometheusClient } from '../../common/prometheus/client.js';
import { sampleValue, type Labels } from '../../common/prometheus/types.js';
import { AnomalyDetector, type AnomalyPoint } from '../models/anomaly-detector.js';
import { seriesKey, type Observation } from './alert-state.js';
import { anomalyParamsSchema, type AnomalyRuleParams } from './detector-params.js';
import type { DetectorRuleSpec } from './model.js';
import { detectorDetails, type DetectorBand } from './detector-text.js';

/** One series' latest anomaly result. */
export interface AnomalyRecord extends DetectorBand {
  labels: Labels;
  metricName?: string;
  /** Time of the point judged (unix s) and its value. */
  time: number;
  /** Seasonal period in use (s), 0 for none. */
  period: number;
}

interface CachedSeries {
  labels: Labels;
  metricName?: string;
  detector: AnomalyDetector;
  lastTime: number;
  last?: AnomalyPoint & { value: number; time: number };
}

/**
 * AnomalyCache is an anomaly rule's memory between evaluations: one fitted detector per series and the
 * time up to which history was read, so that an evaluation between refits fetches only the new points.
 */
export interface AnomalyCache {
  fittedAt: number;
  end: number;
  params: string;
  series: Map<string, CachedSeries>;
  /** Series the expression had at the last refit, when that was more than the plan's `maxSeries` (nothing is kept then). */
  overLimit?: number;
}

/** newAnomalyCache is an empty cache (the first evaluation fits from history). */
export function newAnomalyCache(): AnomalyCache {
  return { fittedAt: -Infinity, end: -Infinity, params: '', series: new Map() };
}

/** What the anomaly evaluation needs from the engine. */
export interface AnomalyContext {
  client: PrometheusClient;
  now: number;
  signal?: AbortSignal;
  cache: AnomalyCache;
  /** Counts series served from the cache (hit) or fetched with their whole history (miss). */
  countCache?: (hit: boolean, n: number) => void;
}

function detectorFor(p: AnomalyRuleParams): AnomalyDetector {
  return new AnomalyDetector({
    direction: p.direction,
    sensitivity: p.sensitivity,
    minDeviation: p.minDeviation,
    minRelativeDeviation: p.minRelativeDeviation,
    historyPoints: Math.ceil(p.history / p.step) + 1,
  });
}

/** How a rule's history is kept: its resolution, length and refit interval (seconds), and a fresh detector per series. */
export interface HistoryPlan {
  step: number;
  history: number;
  refit: number;
  /** Changes whenever the fit would: a new key refits. */
  key: string;
  detector: () => AnomalyDetector;
  /** Most series worth a history: above it (counted at each refit) none is fetched until the next refit. */
  maxSeries?: number;
}

/**
 * updateHistory brings the cache's detectors up to `now`: every `refit` (or when the plan changed) it
 * fetches the whole `history` at `step` and fits a fresh detector per series; in between it fetches only
 * the points since the last evaluation and feeds them on. Returns the end of the history (unix s, a
 * multiple of the step).
 */
export async function updateHistory(expr: string, plan: HistoryPlan, ctx: AnomalyContext): Promise<number> {
  const nowS = ctx.now / 1000;
  const end = Math.floor(nowS / plan.step) * plan.step;
  const c = ctx.cache;
  // An evaluation before the kept history's end (a test or a replay going back) refits: the detectors have seen its future.
  const refit = c.params !== plan.key || nowS - c.fittedAt >= plan.refit || end - c.end > plan.history || end < c.end;
  if (refit && plan.maxSeries !== undefined) {
    // Counting is one cheap instant query; fetching days of history for every series of a huge rule is not.
    const res = await ctx.client.query(`count(${expr})`, { time: end, signal: ctx.signal });
    const n = res.data.resultType === 'vector' && res.data.result[0] ? sampleValue(res.data.result[0].value) : 0;
    if (n > plan.maxSeries) {
      c.series.clear();
      Object.assign(c, { fittedAt: nowS, params: plan.key, end, overLimit: n });
      return end;
    }
    delete c.overLimit;
  }
  if (c.overLimit !== undefined && !refit) return end;
  if (refit || end > c.end) {
    const start = refit ? end - plan.history : c.end + plan.step;
    const res = await ctx.client.queryRange(expr, start, end, plan.step, { signal: ctx.signal });
    if (refit) c.series.clear();
    let hits = 0;
    let misses = 0;
    for (const s of res.data.result) {
      const { __name__: name, ...labels } = s.metric;
      const key = seriesKey(labels);
      let cs = c.series.get(key);
      if (cs) hits++;
      else {
        misses++;
        cs = { labels, detector: plan.detector(), lastTime: -Infinity };
        if (name) cs.metricName = name;
        c.series.set(key, cs);
      }
      for (const pair of s.values) {
        const t = pair[0];
        const v = sampleValue(pair);
        if (t <= cs.lastTime || !Number.isFinite(v)) continue;
        cs.last = { ...cs.detector.update(t, v), value: v, time: t };
        cs.lastTime = t;
      }
    }
    ctx.countCache?.(true, hits);
    ctx.countCache?.(false, misses);
    if (refit) Object.assign(c, { fittedAt: nowS, params: plan.key });
    c.end = end;
  } else {
    ctx.countCache?.(true, c.series.size);
  }
  return end;
}

/**
 * evaluateAnomaly judges the latest point of every series of the rule's expression against a
 * detector fitted on `history` of it (fetched at `step`), refitting every `refit` and otherwise
 * feeding the detectors only the points that arrived since the previous evaluation.
 */
export async function evaluateAnomaly(
  rule: DetectorRuleSpec,
  ctx: AnomalyContext,
): Promise<{ observations: Observation[]; anomalies: AnomalyRecord[] }> {
  const p = anomalyParamsSchema.parse(rule.params);
  const end = await updateHistory(
    rule.expr,
    { step: p.step, history: p.history, refit: p.refit, key: JSON.stringify([rule.expr, p]), detector: () => detectorFor(p) },
    ctx,
  );
  const c = ctx.cache;
  const observations: Observation[] = [];
  const anomalies: AnomalyRecord[] = [];
  for (const [key, cs] of c.series) {
    // A series that stopped reporting for five steps is gone: its alert resolves.
    if (!cs.last || end - cs.lastTime > 5 * p.step) {
      if (end - cs.lastTime > p.history) c.series.delete(key);
      continue;
    }
    const l = cs.last;
    const rec: AnomalyRecord = {
      labels: cs.labels,
      time: l.time,
      value: l.value,
      expected: l.expected,
      lower: l.lower,
      upper: l.upper,
      score: l.score,
      direction: l.direction,
      period: l.period,
    };
    if (cs.metricName) rec.metricName = cs.metricName;
    anomalies.push(rec);
    const o: Observation = { labels: cs.labels, value: l.value, active: l.score >= 1, hold: l.score >= p.resolveScore };
    if (o.active || o.hold) o.details = detectorDetails(rec, p, 'anomaly');
    observations.push(o);
  }
  return { observations, anomalies };
}
