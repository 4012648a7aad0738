import type { NotificationAlert } from '../../dispatch/notification.js';
import { formatSelector, parseSeriesSelector } from './series-selector.js';

/** A series as the charts draw it: epoch ms and value. */
export type Points = Array<[number, number]>;

/** SeriesSource fetches a range of samples (the typed Prometheus client, or a stub in unit tests). */
export interface SeriesSource {
  rangeQuery(expr: string, start: Date, end: Date, stepSeconds: number): Promise<Points[]>;
}

/** ChartSpec is what an alert says about its chart: the expression, and the lines to draw over it. */
export interface ChartSpec {
  /** PromQL of the series (the alert condition without its comparison). */
  expr: string;
  threshold?: number;
  /** A forecast: the value predicted at `at` (epoch ms), with its interval when known. */
  forecast?: { value: number; at: number; lower?: number; upper?: number };
  /** An expected band (anomaly detection), as constant bounds. */
  band?: { lower: number; upper: number };
}

function num(s: string | undefined): number | undefined {
  if (s === undefined || s.trim() === '') return undefined;
  const n = Number(s.trim().replace(/%$/, ''));
  return Number.isFinite(n) ? n : undefined;
}

function time(s: string | undefined): number | undefined {
  if (!s) return undefined;
  const n = Number(s);
  if (Number.isFinite(n)) return n < 1e12 ? n * 1000 : n;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
}

/** exprFromGeneratorURL reads `g0.expr` from a Prometheus graph link. */
export function exprFromGeneratorURL(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).searchParams.get('g0.expr') ?? undefined;
  } catch {
    return undefined;
  }
}

/** Labels that name the alert rather than the series (Vigil's and the rule's own). */
const NOT_SERIES = new Set(['alertname', 'severity', 'namespace', 'rule_kind', 'rule_id', 'kind', 'direction', 'team']);

/** selectorFor builds a series selector from analytics' `metric` annotation and the alert's series labels. */
export function selectorFor(metric: string, labels: Record<string, string>): string {
  const matchers = Object.entries(labels)
    .filter(([k]) => !NOT_SERIES.has(k))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => ({ name, op: '=' as const, value }));
  return formatSelector({ metric, matchers }) + (matchers.length ? '' : '{}');
}

/**
 * chartSpec reads what to draw from an alert. The query is always one Vigil builds: a series selector
 * (metric name and label matchers) read from the `query` or `expr` annotation or the generator URL
 * when that is a plain selector, optionally compared with a number (`x{a="b"} > 80`, the number being
 * the threshold), or else built from analytics' `metric` annotation and the alert's series labels.
 * Any other PromQL in an alert is not run: whoever can post an alert must not choose what Prometheus
 * computes. Then the `threshold`, `forecast` + `forecast_at` (+ `forecast_lower`/`forecast_upper`) and
 * `lower` + `upper` annotations (analytics' `forecast_value` and `horizon_seconds` too). Undefined
 * when the alert gives no usable series.
 */
export function chartSpec(a: NotificationAlert, now = Date.now()): ChartSpec | undefined {
  const an = a.annotations;
  let expr: string | undefined;
  let compared: number | undefined;
  for (const candidate of [an.query, an.expr, exprFromGeneratorURL(a.generatorURL)]) {
    const sel = candidate?.trim() ? parseSeriesSelector(candidate.trim()) : undefined;
    if (sel) {
      expr = formatSelector(sel);
      compared = sel.threshold;
      break;
    }
  }
  if (expr === undefined && an.metric && /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(an.metric)) expr = selectorFor(an.metric, a.labels);
  if (expr === undefined) return undefined;
  const spec: ChartSpec = { expr };
  const threshold = num(an.threshold) ?? compared;
  if (threshold !== undefined) spec.threshold = threshold;
  // analytics writes forecast_value at now + horizon_seconds; others may write forecast + forecast_at.
  const fv = num(an.forecast) ?? num(an.forecast_value);
  const horizon = num(an.horizon_seconds);
  const fat = time(an.forecast_at) ?? (horizon !== undefined ? now + horizon * 1000 : undefined);
  if (fv !== undefined && fat !== undefined) {
    spec.forecast = { value: fv, at: fat };
    const lo = num(an.forecast_lower);
    const hi = num(an.forecast_upper);
    if (lo !== undefined && hi !== undefined) Object.assign(spec.forecast, { lower: lo, upper: hi });
  }
  const lower = num(an.lower);
  const upper = num(an.upper);
  if (lower !== undefined && upper !== undefined) spec.band = { lower, upper };
  return spec;
}
