import type { Labels } from '../../common/prometheus/types.js';
import type { Forecast } from '../models/forecast.js';
import { seriesKey } from './alert-state.js';
import { parseDuration } from './duration.js';
import type { ForecastRuleSpec } from './model.js';

/** One window of a forecast rule: how much history is fitted, in how many blocks, how far ahead, how surely. */
export interface ForecastWindow {
  /** 0 for the rule's own lookback/horizon/points, 1… for the entries of `windows`. */
  index: number;
  lookbackSeconds: number;
  horizonSeconds: number;
  points: number;
  minConfidence: number;
}

/**
 * forecastWindows lists a rule's windows: its own `lookback`/`horizon`/`points`/`minConfidence` first,
 * then each entry of `windows` (whose `minConfidence` defaults to the rule's). A rule without
 * `windows` has exactly one, and behaves as it always did.
 */
export function forecastWindows(rule: ForecastRuleSpec): ForecastWindow[] {
  const main: ForecastWindow = {
    index: 0,
    lookbackSeconds: parseDuration(rule.lookback) ?? 0,
    horizonSeconds: parseDuration(rule.horizon) ?? 0,
    points: rule.points,
    minConfidence: rule.minConfidence,
  };
  return [
    main,
    ...(rule.windows ?? []).map((w, i) => ({
      index: i + 1,
      lookbackSeconds: parseDuration(w.lookback) ?? 0,
      horizonSeconds: parseDuration(w.horizon) ?? 0,
      points: w.points,
      minConfidence: w.minConfidence ?? rule.minConfidence,
    })),
  ];
}

const holds = (f: Forecast) => f.ok && f.crossingSeconds !== undefined && f.confidence >= 0.5;

/**
 * pickForecast chooses, among one series' forecasts from each window, the one the rule acts on and
 * shows: the firing one with the earliest crossing; else the one still predicting a crossing with even
 * odds (what keeps a firing alert firing) with the earliest crossing; else the first window's. So the
 * series fires when any window fires, and holds while any window holds.
 */
export function pickForecast<T extends { forecast: Forecast }>(candidates: T[]): T {
  let best: T | undefined;
  let rank = 0;
  for (const c of candidates) {
    const f = c.forecast;
    const r = f.ok && f.fires ? 3 : holds(f) ? 2 : f.ok ? 1 : 0;
    const earlier = best !== undefined && r >= 2 && best.forecast.ok && f.ok && f.crossingSeconds! < best.forecast.crossingSeconds!;
    if (best === undefined || r > rank || (r === rank && earlier)) {
      best = c;
      rank = r;
    }
  }
  return best!;
}

/**
 * mergeWindows joins the windows' forecasts by series (label set) and keeps the one pickForecast
 * chooses for each, in the order the series first appear. With one window it returns that window's list.
 */
export function mergeWindows<T extends { labels: Labels; forecast: Forecast }>(perWindow: T[][]): T[] {
  if (perWindow.length === 1) return perWindow[0]!;
  const bySeries = new Map<string, T[]>();
  for (const list of perWindow) {
    for (const rec of list) {
      const k = seriesKey(rec.labels);
      const group = bySeries.get(k);
      if (group) group.push(rec);
      else bySeries.set(k, [rec]);
    }
  }
  return [...bySeries.values()].map((group) => pickForecast(group));
}
