import { ANNOTATION } from '../../../common/alerting/index.js';
import type { NotificationAlert } from '../notification.js';
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

/**
 * chartSpec reads what to draw from an alert. The query is always one Vigil builds: a series selector
 * (metric name and label matchers), optionally compared with a number (`x{a="b"} > 80`, the number being
 * the threshold), read from the contract's `query` annotation (analytics writes the selector of the series
 * that fired), else from another sender's `expr` annotation or Prometheus generator URL when that is a
 * plain selector. Any other PromQL in an alert is not run: whoever can post an alert must not choose what
 * Prometheus computes. Then the `threshold`, `forecast_value` at `horizon_seconds` ahead (or another
 * sender's `forecast` at `forecast_at`) with `forecast_lower`/`forecast_upper`, and `lower` + `upper`
 * annotations. Undefined when the alert gives no usable series.
 */
export function chartSpec(a: NotificationAlert, now = Date.now()): ChartSpec | undefined {
  const an = a.annotations;
  let expr: string | undefined;
  let compared: number | undefined;
  for (const candidate of [an[ANNOTATION.query], an[ANNOTATION.expr], exprFromGeneratorURL(a.generatorURL)]) {
    const sel = candidate?.trim() ? parseSeriesSelector(candidate.trim()) : undefined;
    if (sel) {
      expr = formatSelector(sel);
      compared = sel.threshold;
      break;
    }
  }
  if (expr === undefined) return undefined;
  const spec: ChartSpec = { expr };
  const threshold = num(an[ANNOTATION.threshold]) ?? compared;
  if (threshold !== undefined) spec.threshold = threshold;
  // analytics writes forecast_value at now + horizon_seconds; others may write forecast + forecast_at.
  const fv = num(an[ANNOTATION.forecast]) ?? num(an[ANNOTATION.forecastValue]);
  const horizon = num(an[ANNOTATION.horizonSeconds]);
  const fat = time(an[ANNOTATION.forecastAt]) ?? (horizon !== undefined ? now + horizon * 1000 : undefined);
  if (fv !== undefined && fat !== undefined) {
    spec.forecast = { value: fv, at: fat };
    const lo = num(an[ANNOTATION.forecastLower]);
    const hi = num(an[ANNOTATION.forecastUpper]);
    if (lo !== undefined && hi !== undefined) Object.assign(spec.forecast, { lower: lo, upper: hi });
  }
  const lower = num(an[ANNOTATION.lower]);
  const upper = num(an[ANNOTATION.upper]);
  if (lower !== undefined && upper !== undefined) spec.band = { lower, upper };
  return spec;
}
