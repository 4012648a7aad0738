import type { PrometheusClient } from '../../common/prometheus/client.js';
import { sampleValue, type Labels } from '../../common/prometheus/types.js';
import { formatPromDuration } from '../../common/duration.js';
import type { ForecastQueryPlan } from './forecast-query.js';

/** A series the screen looked at: its labels and Prometheus's linear forecast at the horizon. */
export interface ScreenedSeries {
  labels: Labels;
  linearValue: number;
}

/** The screen's verdict: the series worth a robust fit, and the rest with their linear forecast. */
export interface ScreenResult {
  candidates: ScreenedSeries[];
  others: ScreenedSeries[];
}

/**
 * screenSeries asks Prometheus for `predict_linear` over the lookback (and, for the series that one
 * leaves far from the line, over its last quarter) — one and a quarter passes over the samples, about
 * the cost of Prometheus's own forecast alert — and keeps as candidates the series whose linear
 * forecast comes within `margin` of the threshold (on the watched side). Only those are fetched as
 * blocks and fitted robustly; a generous margin absorbs what least squares gets wrong (outliers,
 * a recent reset).
 */
export async function screenSeries(
  client: PrometheusClient,
  selectorExpr: string,
  o: {
    lookbackSeconds: number;
    horizonSeconds: number;
    threshold: number;
    dir: 1 | -1;
    margin: number;
    now: number;
    signal?: AbortSignal;
  },
): Promise<ScreenResult> {
  // The whole lookback, or else its last quarter: a series that restarted (a counter reset, a disk
  // cleaned up) shows its trend there, where a line through the whole sawtooth hides it.
  const bound = o.threshold - o.dir * o.margin;
  const whole = `predict_linear(${selectorExpr}[${formatPromDuration(o.lookbackSeconds)}], ${o.horizonSeconds})`;
  const recent = `predict_linear(${selectorExpr}[${formatPromDuration(Math.max(60, Math.round(o.lookbackSeconds / 4)))}], ${o.horizonSeconds})`;
  const q = `${whole} ${o.dir > 0 ? '>' : '<'} ${bound} or ${recent}`;
  const res = await client.query(q, { time: o.now, signal: o.signal });
  const out: ScreenResult = { candidates: [], others: [] };
  if (res.data.resultType !== 'vector') return out;
  for (const s of res.data.result) {
    const { __name__: _n, ...labels } = s.metric;
    const linearValue = sampleValue(s.value);
    const near = Number.isFinite(linearValue) ? o.dir * (linearValue - o.threshold) > -o.margin : true;
    (near ? out.candidates : out.others).push({ labels, linearValue });
  }
  return out;
}

/** What nearTheLine filters on: a window, the line, the watched direction and the margin. */
export interface NearTheLineOptions {
  lookbackSeconds: number;
  horizonSeconds: number;
  threshold: number;
  dir: 1 | -1;
  margin: number;
}

/** nearTheLineQuery is nearTheLine's PromQL (backtests run it as a range query). */
export function nearTheLineQuery(selectorExpr: string, o: NearTheLineOptions): string {
  const bound = o.threshold - o.dir * o.margin;
  return `predict_linear(${selectorExpr}[${formatPromDuration(o.lookbackSeconds)}], ${o.horizonSeconds}) ${o.dir > 0 ? '>' : '<'} ${bound}`;
}

/**
 * nearTheLine asks Prometheus for the series whose `predict_linear` over the lookback comes within
 * `margin` of the threshold at the horizon, and only those: one pass over the window's samples, and an
 * answer as small as the number of series heading for trouble. A rule's further windows use it so that
 * a five-minute window costs a cheap filter for the thousands of quiet series, not a fit each.
 */
export async function nearTheLine(
  client: PrometheusClient,
  selectorExpr: string,
  o: NearTheLineOptions & { now: number; signal?: AbortSignal },
): Promise<ScreenedSeries[]> {
  const res = await client.query(nearTheLineQuery(selectorExpr, o), { time: o.now, signal: o.signal });
  if (res.data.resultType !== 'vector') return [];
  return res.data.result.map((s) => {
    const { __name__: _n, ...labels } = s.metric;
    return { labels, linearValue: sampleValue(s.value) };
  });
}

function escape(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function regexQuote(v: string): string {
  return v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * candidatesPlan narrows a forecast plan to the candidate series with one selector: a label whose value
 * is the same for every candidate is matched exactly, the others by an alternation of the candidates'
 * values (Prometheus matches such alternations as a set). That selects a superset when two labels
 * both vary; the caller keeps only the candidates' label sets.
 */
export function candidatesPlan(
  plan: ForecastQueryPlan,
  metric: string,
  candidates: ScreenedSeries[],
  aggregate: 'mean' | 'median',
): ForecastQueryPlan {
  const names = new Set<string>();
  for (const c of candidates) for (const k of Object.keys(c.labels)) names.add(k);
  const matchers = [...names].sort().map((name) => {
    const values = [...new Set(candidates.map((c) => c.labels[name] ?? ''))];
    return values.length === 1 ? `${name}="${escape(values[0]!)}"` : `${name}=~"${escape(values.map(regexQuote).join('|'))}"`;
  });
  const sel = `${metric}{${matchers.join(',')}}[${plan.step}s]`;
  return { ...plan, query: aggregate === 'median' ? `quantile_over_time(0.5, ${sel})` : `avg_over_time(${sel})` };
}
