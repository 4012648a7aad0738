import type { AnomalyDetector } from './anomaly-detector.js';
import type { SeasonalProfile } from './forecast.js';
import { medianTail, quantileSorted, sortedTail } from './robust-window.js';
import { DAY_SECONDS } from './seasonal.js';

/**
 * Least history (seconds) a seasonal forecast wants: the detector compares its daily model with none on
 * a day of residuals after the first day, so two days is the earliest it can have chosen one honestly.
 */
export const MIN_SEASONAL_SPAN = 2 * 86_400;
/** Recent history (seconds) whose forecast errors size the interval: two days (at least one has a profile). */
const ERROR_SPAN = 2 * 86_400;
/** Points of the level a forecast starts from (the detector's default). */
const LEVEL_POINTS = 12;

let deseasonalised = new Float64Array(1024);
let errors = new Float64Array(1024);

/**
 * seasonalProfile turns a detector fitted on days of history into the profile the `seasonal` forecast
 * model adds to its trend, or says why there is none (the series is then forecast by Theil–Sen alone,
 * exactly as before): too little history, or too little for the lookback. The profile is the median of
 * the same phase in a fixed number of earlier cycles — as many as the oldest point of the lookback (and
 * the last day) has, up to 4 days or 2 weeks — so that a trend shifts the profile by the same amount across the window and
 * the horizon. With no daily or weekly pattern the profile is 0 (a Theil–Sen trend with the interval below).
 * The interval comes from the errors, over the last two days, of forecasts made `horizonSeconds` ahead
 * from the level then (the median of 12 deseasonalised points), centred on their median: a trend
 * biases them, and the trend is fitted by the regression.
 */
export function seasonalProfile(d: AnomalyDetector | undefined, horizonSeconds: number, lookbackSeconds: number): SeasonalProfile | string {
  if (!d || d.size === 0) return 'no history';
  const hours = (d.span / 3600).toFixed(1);
  if (d.span < MIN_SEASONAL_SPAN) return `${hours} h of history; the seasonal model needs ${MIN_SEASONAL_SPAN / 3600} h`;
  const period = d.period;
  // Cycles behind the lookback's oldest point and behind at least a day of points whose errors size the interval.
  const reserve = Math.max(lookbackSeconds, DAY_SECONDS);
  const cycles = period === 0 ? 0 : Math.min(period === DAY_SECONDS ? 4 : 2, Math.floor((d.span - reserve) / period));
  if (period > 0 && cycles < 1) return `${hours} h of history do not reach one ${period / 3600} h cycle behind the lookback (or a day)`;
  const at = period === 0 ? () => 0 : (t: number) => d.seasonalAt(t, cycles);
  const step = d.stepSeconds;
  if (!(step > 0)) return 'no regular step in the history';
  const { times, values } = d.history();
  const n = times.length;
  const h = Math.max(1, Math.round(horizonSeconds / step));
  const from = Math.max(0, n - Math.round(ERROR_SPAN / step) - h - LEVEL_POINTS);
  const m = n - from;
  if (deseasonalised.length < m) {
    deseasonalised = new Float64Array(m * 2);
    errors = new Float64Array(m * 2);
  }
  for (let i = from; i < n; i++) deseasonalised[i - from] = values[i]! - at(times[i]!);
  let k = 0;
  for (let j = h + LEVEL_POINTS - 1; j < m; j++) {
    // The forecast made h points before j: the level of the 12 points up to then, plus the profile at j.
    const level = medianTail(deseasonalised.subarray(j - h - LEVEL_POINTS + 1, j - h + 1), 0, LEVEL_POINTS);
    errors[k++] = deseasonalised[j]! - level;
  }
  const sorted = sortedTail(errors, 0, k);
  if (sorted.length < 50) return 'too few past forecasts to size the interval';
  const mid = quantileSorted(sorted, 0.5);
  return { at, errors: { lower: quantileSorted(sorted, 0.025) - mid, upper: quantileSorted(sorted, 0.975) - mid } };
}
