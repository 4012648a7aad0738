import type { PrometheusClient } from '../../common/prometheus/client.js';
import { sampleValue } from '../../common/prometheus/types.js';
import { AnomalyDetector } from '../models/anomaly-detector.js';
import { rangePieces } from '../query/range-pieces.js';
import type { ForecastOptions, SeasonalProfile } from '../models/forecast.js';
import { seasonalProfile } from '../models/seasonal-profile.js';
import { seriesKey } from './alert-state.js';
import { updateHistory, type AnomalyCache } from './anomaly-eval.js';
import type { ForecastRuleSpec } from './model.js';

/**
 * The history a `seasonal` forecast rule learns its daily/weekly profile from: eight days at a 5-minute
 * step (four earlier days for the daily median and four days of residuals for the model choice, as the
 * anomaly detector uses them), refitted hourly; between refits only new points are fetched.
 */
export const SEASONAL_HISTORY = { step: 300, history: 8 * 86_400, refit: 3600 } as const; // s, s, s

/**
 * Most series a seasonal rule keeps a history for (a refit costs 23–45 ms of CPU per series, see
 * `npm run bench detect`); a rule with more is forecast by Theil–Sen alone, as screening keeps it cheap.
 */
export const SEASONAL_MAX_SERIES = 2000;

/** seasonalDetector is the detector a seasonal forecast rule keeps per series. */
export function seasonalDetector(): AnomalyDetector {
  return new AnomalyDetector({ historyPoints: SEASONAL_HISTORY.history / SEASONAL_HISTORY.step + 1 });
}

/** ProfileSource gives a series' profile for a window's horizon and lookback (seconds), or why it has none. */
export type ProfileSource = (labels: Record<string, string>, horizonSeconds: number, lookbackSeconds: number) => SeasonalProfile | string;

/** What the seasonal history needs from the evaluation. */
export interface SeasonalContext {
  client: PrometheusClient;
  now: number;
  signal?: AbortSignal;
  cache: AnomalyCache;
  countCache?: (hit: boolean, n: number) => void;
}

/**
 * seasonalProfiles brings a seasonal forecast rule's kept history up to now (the engine's anomaly
 * cache, counted as `anomaly_history`) and returns a function giving a series' profile for a
 * window's horizon and lookback, or why it has none (then the series is forecast by Theil–Sen).
 */
export async function seasonalProfiles(rule: ForecastRuleSpec, ctx: SeasonalContext): Promise<ProfileSource> {
  await updateHistory(
    rule.expr,
    {
      ...SEASONAL_HISTORY,
      key: JSON.stringify(['seasonal-forecast', rule.expr]),
      detector: seasonalDetector,
      maxSeries: SEASONAL_MAX_SERIES,
    },
    ctx,
  );
  const over = ctx.cache.overLimit;
  return (labels, horizonSeconds, lookbackSeconds) => {
    if (over !== undefined) return `${over} series; the seasonal model keeps a history for at most ${SEASONAL_MAX_SERIES}`;
    const d = ctx.cache.series.get(seriesKey(labels))?.detector;
    if (!d) return seasonalProfile(d, horizonSeconds, lookbackSeconds);
    // The error quantiles sort days of errors: keep them until the detector learns a new point.
    let byHorizon = memo.get(d);
    if (!byHorizon || byHorizon.last !== d.lastTime) memo.set(d, (byHorizon = { last: d.lastTime, profiles: new Map() }));
    const key = `${horizonSeconds} ${lookbackSeconds}`;
    let p = byHorizon.profiles.get(key);
    if (p === undefined) byHorizon.profiles.set(key, (p = seasonalProfile(d, horizonSeconds, lookbackSeconds)));
    return p;
  };
}

const memo = new WeakMap<AnomalyDetector, { last: number; profiles: Map<string, SeasonalProfile | string> }>();

/**
 * seasonalReplay is the backtest's counterpart of seasonalProfiles: it fetches the history before
 * `from` and the range itself at the seasonal step (in pieces Prometheus accepts), and returns, for
 * evaluation times in increasing order, each series' profile as the live rule would have had it then
 * (the detectors fed every point up to that time, and no later one).
 */
export async function seasonalReplay(
  rule: ForecastRuleSpec,
  from: number,
  to: number,
  client: PrometheusClient,
  signal?: AbortSignal,
): Promise<(t: number) => ProfileSource> {
  const { step, history } = SEASONAL_HISTORY;
  const start = Math.floor((from - history) / step) * step;
  const end = Math.floor(to / step) * step;
  const points = new Map<string, Array<[number, number]>>();
  let over: string | undefined;
  for await (const result of rangePieces(client, rule.expr, start, end, step, signal)) {
    for (const r of result) {
      const { __name__: _n, ...labels } = r.metric;
      const key = seriesKey(labels);
      const list = points.get(key) ?? points.set(key, []).get(key)!;
      for (const p of r.values) list.push([p[0], sampleValue(p)]);
    }
    // Past the limit every series falls back to Theil–Sen: the rest of the history is not worth fetching or keeping.
    if (points.size > SEASONAL_MAX_SERIES) {
      over = `${points.size} series; the seasonal model keeps a history for at most ${SEASONAL_MAX_SERIES}`;
      points.clear();
      break;
    }
  }
  const fed = new Map<string, { d: AnomalyDetector; next: number }>();
  return (t) => (labels, horizonSeconds, lookbackSeconds) => {
    if (over) return over;
    const key = seriesKey(labels);
    const list = points.get(key);
    if (!list) return seasonalProfile(undefined, horizonSeconds, lookbackSeconds);
    let st = fed.get(key);
    if (!st) fed.set(key, (st = { d: seasonalDetector(), next: 0 }));
    while (st.next < list.length && list[st.next]![0] <= t) {
      const [pt, v] = list[st.next++]!;
      if (Number.isFinite(v)) st.d.update(pt, v);
    }
    return seasonalProfile(st.d, horizonSeconds, lookbackSeconds);
  };
}

/** withProfile adds a series' profile (or the reason it has none) to a window's forecast options. */
export function withProfile(o: ForecastOptions, p: SeasonalProfile | string | undefined): ForecastOptions {
  return p === undefined ? o : typeof p === 'string' ? { ...o, profileProblem: p } : { ...o, profile: p };
}
