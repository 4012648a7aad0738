/**
 * Seasonal lookups over a causal history: the value a series had at the same phase of earlier days or
 * weeks. A profile value is the median of the points nearest to t − k·period (k = 1…cycles) and their
 * neighbours, so a single bad day, a spike or a phase jitter of one step does not move it.
 */

/** One day and one week in seconds: the periods the detector tries. */
export const DAY_SECONDS = 86_400;
export const WEEK_SECONDS = 7 * DAY_SECONDS;

/** nearestIndex is the index in `times[0..n)` (ascending) closest to `t`, or −1 when n = 0. */
export function nearestIndex(times: Float64Array, n: number, t: number): number {
  if (n === 0) return -1;
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(times[lo - 1]! - t) <= Math.abs(times[lo]! - t)) return lo - 1;
  return lo;
}

const scratch = new Float64Array(64);

/**
 * seasonalValue is the median of the values at t − k·period (k = 1…cycles) and their two neighbours,
 * among `times/values[0..n)`; NaN unless at least `minCycles` earlier cycles have a point within
 * `tolerance` seconds of the phase.
 */
export function seasonalValue(
  times: Float64Array,
  values: Float64Array,
  n: number,
  t: number,
  period: number,
  cycles: number,
  tolerance: number,
  minCycles = 1,
): number {
  let m = 0;
  let found = 0;
  for (let k = 1; k <= cycles; k++) {
    const target = t - k * period;
    if (n === 0 || target < times[0]! - tolerance) break;
    const j = nearestIndex(times, n, target);
    if (Math.abs(times[j]! - target) > tolerance) continue;
    found++;
    for (let d = -1; d <= 1; d++) {
      const jj = j + d;
      if (jj >= 0 && jj < n && m < scratch.length) scratch[m++] = values[jj]!;
    }
  }
  if (found < minCycles || m === 0) return NaN;
  const a = scratch.subarray(0, m).sort();
  return m % 2 ? a[m >> 1]! : (a[(m >> 1) - 1]! + a[m >> 1]!) / 2;
}
