import { selectKth } from './select.js';

/**
 * theilSen fits y = slope·x + intercept by the Theil–Sen estimator — the median of the slopes between
 * every pair of points, then the median of y − slope·x — exactly as ml-regression-theil-sen does (its
 * tests compare the two), but into a reused typed-array scratch buffer: a forecast rule fits ten
 * thousand short series per evaluation, and the library's per-call `new Array(n²)` dominated that.
 */
export function theilSen(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  scratch?: Float64Array,
  split = 0,
): { slope: number; intercept: number } {
  const n = x.length;
  const pairs = (n * (n - 1)) / 2;
  const buf = scratch && scratch.length >= Math.max(pairs, n) ? scratch : new Float64Array(Math.max(pairs, n));
  let k = 0;
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    const yi = y[i]!;
    for (let j = i + 1; j < n; j++) {
      // With a split (a reset at index `split`), only pairs on the same side carry the trend.
      if (i < split && j >= split) continue;
      const dx = x[j]! - xi;
      if (dx !== 0) buf[k++] = (y[j]! - yi) / dx;
    }
  }
  const slope = k === 0 ? 0 : medianInPlace(buf.subarray(0, k));
  // The level comes from the points after the split (all points without one).
  for (let i = split; i < n; i++) buf[i - split] = y[i]! - slope * x[i]!;
  const intercept = n - split <= 0 ? 0 : medianInPlace(buf.subarray(0, n - split));
  return { slope, intercept };
}

/** The lower median (index ⌊(n−1)/2⌋ of the sorted values), as the library's quickselect returns it. */
function medianInPlace(a: Float64Array): number {
  return selectKth(a, (a.length - 1) >> 1);
}
