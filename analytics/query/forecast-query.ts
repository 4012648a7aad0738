import type { PrometheusClient } from '../../common/prometheus/client.js';
import { sampleValue, type Labels } from '../../common/prometheus/types.js';
import { isVectorSelector } from './promql-validate.js';

/** One series' points, ready to fit. */
export interface SeriesPoints {
  labels: Labels;
  times: Float64Array;
  values: Float64Array;
}

/** The plan of a forecast query: the PromQL, its step and range. */
export interface ForecastQueryPlan {
  query: string;
  step: number;
  start: number;
  end: number;
  /** The metric name, when the expression is a plain selector (avg_over_time drops `__name__`). */
  metricName?: string;
}

/**
 * planForecastQuery pushes the heavy part of a forecast into Prometheus: instead of exporting every
 * raw sample of the lookback (tens of megabytes of JSON for thousands of series), it asks for the mean
 * of each `step`-long block, `step = lookback / points`, so each raw sample is read once inside
 * Prometheus and only `points` numbers per series travel. A plain selector goes straight into
 * `avg_over_time`; any other expression becomes a subquery.
 */
export function planForecastQuery(expr: string, lookbackSeconds: number, points: number, endSeconds: number): ForecastQueryPlan {
  const step = Math.max(1, Math.ceil(lookbackSeconds / points));
  const plain = isVectorSelector(expr);
  const range = plain ? `${expr.trim()}[${step}s]` : `(${expr})[${step}s:]`;
  const plan: ForecastQueryPlan = { query: `avg_over_time(${range})`, step, start: endSeconds - (points - 1) * step, end: endSeconds };
  const name = plain ? /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(expr)?.[1] : undefined;
  if (name) plan.metricName = name;
  return plan;
}

/** fetchSeriesPoints runs a plan and returns each series' points (labels without `__name__`, which is returned separately). */
export async function fetchSeriesPoints(client: PrometheusClient, plan: ForecastQueryPlan, signal?: AbortSignal): Promise<Array<SeriesPoints & { metricName?: string }>> {
  const res = await client.queryRange(plan.query, plan.start, plan.end, plan.step, { signal });
  return res.data.result.map((s) => {
    const { __name__: name, ...labels } = s.metric;
    const metricName = name ?? plan.metricName;
    const n = s.values.length;
    const times = new Float64Array(n);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const p = s.values[i]!;
      times[i] = p[0];
      values[i] = sampleValue(p);
    }
    return metricName ? { labels, times, values, metricName } : { labels, times, values };
  });
}
