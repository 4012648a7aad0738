import { ANNOTATION } from '../../common/alerting/index.js';
import type { PrometheusClient } from '../../common/prometheus/client.js';
import { sampleValue, type Labels } from '../../common/prometheus/types.js';
import { scorePeers } from '../models/outlier.js';
import { median } from '../models/robust-stats.js';
import type { Observation } from './alert-state.js';
import { outlierParamsSchema, type OutlierRuleParams } from './detector-params.js';
import { detectorDetails, type DetectorBand } from './detector-text.js';
import type { DetectorRuleSpec } from './model.js';

/** One member's latest outlier result. */
export interface OutlierRecord extends DetectorBand {
  labels: Labels;
  metricName?: string;
  /** Group key (the `by` labels' values) and its size. */
  group: string;
  peers: number;
}

/** A series over the window: its identity and its samples. */
export interface WindowSeries {
  labels: Labels;
  metricName?: string;
  times: number[];
  values: number[];
}

/**
 * scoreGroups gives each series its window median, groups them by the `by` labels and scores each
 * member against its peers (groups smaller than minPeers get no score).
 */
export function scoreGroups(series: Array<{ labels: Labels; metricName?: string; value: number }>, p: OutlierRuleParams): OutlierRecord[] {
  const groups = new Map<string, typeof series>();
  for (const s of series) {
    if (!Number.isFinite(s.value)) continue;
    const key = JSON.stringify(p.by.map((l) => s.labels[l] ?? ''));
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(s);
  }
  const out: OutlierRecord[] = [];
  for (const [group, members] of groups) {
    if (members.length < p.minPeers) continue;
    const scores = scorePeers(
      members.map((m) => m.value),
      p,
    );
    members.forEach((m, i) => {
      const sc = scores[i]!;
      const r: OutlierRecord = {
        labels: m.labels,
        group,
        peers: members.length,
        value: m.value,
        expected: sc.median,
        lower: sc.lower,
        upper: sc.upper,
        score: sc.score,
        direction: sc.direction,
      };
      if (m.metricName) r.metricName = m.metricName;
      out.push(r);
    });
  }
  return out;
}

/** fetchWindow reads every series of the expression over [start, end] at `step`. */
export async function fetchWindow(
  client: PrometheusClient,
  expr: string,
  start: number,
  end: number,
  step: number,
  signal?: AbortSignal,
): Promise<WindowSeries[]> {
  const res = await client.queryRange(expr, start, end, step, { signal });
  return res.data.result.map((s) => {
    const { __name__: name, ...labels } = s.metric;
    const w: WindowSeries = { labels, times: s.values.map((v) => v[0]), values: s.values.map((v) => sampleValue(v)) };
    if (name) w.metricName = name;
    return w;
  });
}

/** windowMedian is the median of a series' samples in (t − window, t]. */
export function windowMedian(s: WindowSeries, t: number, window: number): number {
  const vals: number[] = [];
  for (let i = 0; i < s.times.length; i++)
    if (s.times[i]! > t - window && s.times[i]! <= t && Number.isFinite(s.values[i]!)) vals.push(s.values[i]!);
  return vals.length ? median(vals) : NaN;
}

/** outlierObservations turns scored members into observations for the alert state machine. */
export function outlierObservations(records: OutlierRecord[], p: OutlierRuleParams): Observation[] {
  return records.map((r) => {
    const o: Observation = { labels: r.labels, value: r.value, active: r.score >= 1, hold: r.score >= p.resolveScore };
    if (o.active || o.hold)
      o.details = { ...detectorDetails(r, p, 'outlier'), [ANNOTATION.groupMedian]: String(Number(r.expected.toPrecision(6))) };
    return o;
  });
}

/**
 * evaluateOutlier compares the members of each peer group (the series of the rule's expression,
 * grouped by `by`): each member's median over `window` against the group's median and spread.
 */
export async function evaluateOutlier(
  rule: DetectorRuleSpec,
  ctx: { client: PrometheusClient; now: number; signal?: AbortSignal },
): Promise<{ observations: Observation[]; outliers: OutlierRecord[] }> {
  const p = outlierParamsSchema.parse(rule.params);
  const end = Math.floor(ctx.now / 1000 / p.step) * p.step;
  const window = Math.max(p.window, p.step);
  const series = await fetchWindow(ctx.client, rule.expr, end - window + p.step, end, p.step, ctx.signal);
  const outliers = scoreGroups(
    series.map((s) => ({ labels: s.labels, ...(s.metricName ? { metricName: s.metricName } : {}), value: windowMedian(s, end, window) })),
    p,
  );
  return { observations: outlierObservations(outliers, p), outliers };
}
