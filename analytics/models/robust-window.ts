/**
 * Robust statistics over the tail of a growing array, in a reused buffer: the streaming detector asks
 * for them at every row, and a sort of a typed array (native, O(n log n), no pathological case on
 * constant data) costs less than allocating.
 */
let buf = new Float64Array(1024);

/** sortedTail copies the finite values of `a[from..to)` into a scratch buffer, sorts it and returns the sorted view. */
export function sortedTail(a: Float64Array, from: number, to: number): Float64Array {
  const n = Math.max(0, to - from);
  if (buf.length < n) buf = new Float64Array(n * 2);
  let m = 0;
  for (let i = from; i < to; i++) {
    const v = a[i]!;
    if (Number.isFinite(v)) buf[m++] = v;
  }
  return buf.subarray(0, m).sort();
}

/** quantileSorted is the linearly interpolated q-quantile of a sorted array (NaN when empty). */
export function quantileSorted(s: Float64Array, q: number): number {
  const n = s.length;
  if (n === 0) return NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** medianTail is the median of the finite values of `a[from..to)`. */
export function medianTail(a: Float64Array, from: number, to: number): number {
  return quantileSorted(sortedTail(a, from, to), 0.5);
}

/**
 * cleanScale is seed 002's training-window cleaning made robust: the values outside Tukey's fences
 * (Q1 − 1.5·IQR, Q3 + 1.5·IQR) are dropped and the standard deviation of the rest around the median
 * is returned (NaN for fewer than three values).
 */
export function cleanScale(a: Float64Array, from: number, to: number): number {
  const s = sortedTail(a, from, to);
  if (s.length < 3) return NaN;
  const q1 = quantileSorted(s, 0.25);
  const q3 = quantileSorted(s, 0.75);
  const med = quantileSorted(s, 0.5);
  const lo = q1 - 1.5 * (q3 - q1);
  const hi = q3 + 1.5 * (q3 - q1);
  let sum = 0;
  let m = 0;
  for (let i = 0; i < s.length; i++) {
    const v = s[i]!;
    if (v < lo || v > hi) continue;
    sum += (v - med) * (v - med);
    m++;
  }
  return m > 1 ? Math.sqrt(sum / (m - 1)) : 0;
}
