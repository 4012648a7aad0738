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
    direction: p.direction, sensitivity: p.sensitivity, minDeviation: p.minDeviation, minRelativeDeviation: p.minRelativeDeviation,
    historyPoints: Math.ceil(p.history / p.step) + 1,
  });
}

/**
 * evaluateAnomaly judges the latest point of every series of the rule's expression against a
 * detector fitted on `history` of it (fetched at `step`), refitting every `refit` and otherwise
 * feeding the detectors only the points that arrived since the previous evaluation.
 */
export async function evaluateAnomaly(rule: DetectorRuleSpec, ctx: AnomalyContext): Promise<{ observations: Observation[]; anomalies: AnomalyRecord[] }> {
  const p = anomalyParamsSchema.parse(rule.params);
  const nowS = ctx.now / 1000;
  const end = Math.floor(nowS / p.step) * p.step;
  const c = ctx.cache;
  const paramsKey = JSON.stringify([rule.expr, p]);
  const refit = c.params !== paramsKey || nowS - c.fittedAt >= p.refit || end - c.end > p.history;
  if (refit || end > c.end) {
    const start = refit ? end - p.history : c.end + p.step;
    const res = await ctx.client.queryRange(rule.expr, start, end, p.step, { signal: ctx.signal });
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
        cs = { labels, detector: detectorFor(p), lastTime: -Infinity };
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
    if (refit) Object.assign(c, { fittedAt: nowS, params: paramsKey });
    c.end = end;
  } else {
    ctx.countCache?.(true, c.series.size);
  }
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
      labels: cs.labels, time: l.time, value: l.value, expected: l.expected, lower: l.lower, upper: l.upper, score: l.score, direction: l.direction, period: l.period,
    };
    if (cs.metricName) rec.metricName = cs.metricName;
    anomalies.push(rec);
    const o: Observation = { labels: cs.labels, value: l.value, active: l.score >= 1, hold: l.score >= p.resolveScore };
    if (o.active || o.hold) o.details = detectorDetails(rec, p, 'anomaly');
    observations.push(o);
  }
  return { observations, anomalies };
}
