import type { PrometheusClient } from '../../common/prometheus/client.js';
import { sampleValue, type Labels } from '../../common/prometheus/types.js';
import { isVectorSelector } from './promql-validate.js';

function sameLabels(a: Record<string, string>, b: Record<string, string>): boolean {
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

/**
 * Most points one query asks per series. Prometheus refuses a range query of more than 11,000 points
 * per series ("exceeded maximum resolution"); longer ranges are split into consecutive pieces.
 */
export const MAX_POINTS_PER_QUERY = 10_000;

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
export function planForecastQuery(
  expr: string,
  lookbackSeconds: number,
  points: number,
  endSeconds: number,
  aggregate: 'mean' | 'median' = 'mean',
): ForecastQueryPlan {
  const step = Math.max(1, Math.ceil(lookbackSeconds / points));
  const plain = isVectorSelector(expr);
  // One millisecond short of the step: Prometheus 2 closes a range at both ends, so a sample exactly on a
  // block boundary would count in two blocks, while Prometheus 3 and VictoriaMetrics leave the left end
  // open. `(t - step + 1ms, t]` is the same set of samples under both rules, so every store agrees.
  const window = `${step * 1000 - 1}ms`;
  const range = plain ? `${expr.trim()}[${window}]` : `(${expr})[${window}:]`;
  const fn = aggregate === 'median' ? `quantile_over_time(0.5, ${range})` : `avg_over_time(${range})`;
  const plan: ForecastQueryPlan = { query: fn, step, start: endSeconds - (points - 1) * step, end: endSeconds };
  const name = plain ? /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(expr)?.[1] : undefined;
  if (name) plan.metricName = name;
  return plan;
}

/**
 * fetchSeriesPoints runs a plan and returns each series' points (labels without `__name__`, which is
 * returned separately). `subquery` mode (live evaluation) asks instant subqueries, `range` mode
 * (backtests over long ranges) query_range. With `shards` > 1 the range is split in time into that many consecutive
 * queries run at once — what Cortex's and Thanos's query frontends do — so Prometheus evaluates them on
 * several cores while this process parses the first answers; the series are joined back by labels.
 * However many shards are asked for, no piece has more than MAX_POINTS_PER_QUERY points, so a 31-day
 * backtest of a rule with a 90-second block (30,000 points) becomes three queries, at most `shards`
 * of them in flight at a time.
 */
export async function fetchSeriesPoints(
  client: PrometheusClient,
  plan: ForecastQueryPlan,
  signal?: AbortSignal,
  shards = 1,
  mode: 'range' | 'subquery' = 'range',
): Promise<Array<SeriesPoints & { metricName?: string }>> {
  const steps = Math.round((plan.end - plan.start) / plan.step) + 1;
  const k = Math.max(1, Math.min(shards, Math.floor(steps / 4)), Math.ceil(steps / MAX_POINTS_PER_QUERY));
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < k; i++) {
    const first = Math.floor((i * steps) / k);
    const last = Math.floor(((i + 1) * steps) / k) - 1;
    ranges.push([plan.start + first * plan.step, plan.start + last * plan.step]);
  }
  type Answer = { data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> } };
  const ask = async ([a, b]: [number, number]): Promise<Answer> => {
    if (mode === 'range') return client.queryRange(plan.query, a, b, plan.step, { signal });
    // One instant query per shard, `f(x[step])[span:step]` at the shard's end. Prometheus answers it
    // faster than the equivalent query_range (measured: 1.25× predict_linear's time against 1.5×), and
    // aligns its steps to multiples of the step, so the same blocks come back every evaluation.
    // Stores differ at a subquery's left edge (Prometheus 2 includes it, Prometheus 3 does not, and
    // VictoriaMetrics aligns its own way), so the span reaches a whole step before the first block and
    // only the blocks a..b are kept: every store then gives the same points.
    const res = await client.query(`${plan.query}[${b - a + plan.step}s:${plan.step}s]`, { time: b, signal });
    if (res.data.resultType !== 'matrix') throw new Error(`expected a matrix from the forecast query, got ${res.data.resultType}`);
    const lo = a - plan.step / 4;
    const hi = b + plan.step / 4;
    return {
      data: { result: res.data.result.map((r) => ({ metric: r.metric, values: r.values.filter((p) => p[0] >= lo && p[0] <= hi) })) },
    };
  };
  // At most `shards` queries in flight: pieces beyond that (long ranges) wait their turn.
  const answers: Answer[] = [];
  const wave = Math.max(1, shards);
  for (let i = 0; i < ranges.length; i += wave) answers.push(...(await Promise.all(ranges.slice(i, i + wave).map(ask))));
  const merged = new Map<string, { metric: Record<string, string>; values: Array<[number, string]> }>();
  const sameOrder = answers.every(
    (a) =>
      a.data.result.length === answers[0]!.data.result.length &&
      a.data.result.every((x, i) => sameLabels(x.metric, answers[0]!.data.result[i]!.metric)),
  );
  answers.forEach((res, shard) => {
    res.data.result.forEach((s, i) => {
      // Prometheus sorts series by labels, so shards usually line up; otherwise join on the label set.
      const key = k === 1 || sameOrder ? String(i) : JSON.stringify(s.metric);
      const m = shard === 0 ? undefined : merged.get(key);
      if (m) m.values = m.values.concat(s.values);
      else merged.set(key, { metric: s.metric, values: s.values });
    });
  });
  return [...merged.values()].map((s) => {
    const { __name__: name, ...labels } = s.metric;
    const metricName = name ?? plan.metricName;
    const n = s.values.length;
    const times = new Float64Array(n);
    const values = new Float64Array(n);
    const half = plan.step / 2;
    for (let i = 0; i < n; i++) {
      const p = s.values[i]!;
      // A block mean describes the middle of its block, not its end: without this the fit lags half a step.
      times[i] = p[0] - half;
      const v = +p[1];
      // "+Inf" and "-Inf" read as NaN with the unary plus; only then take the slower path.
      values[i] = v === v ? v : sampleValue(p);
    }
    return metricName ? { labels, times, values, metricName } : { labels, times, values };
  });
}
