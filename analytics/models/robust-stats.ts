import { medianOf } from './select.js';

/** Scale factor that makes the median absolute deviation estimate a normal distribution's standard deviation. */
export const MAD_TO_SIGMA = 1.4826;

/** median of the values (copied; the input is not reordered). NaN for an empty list. */
export function median(values: ArrayLike<number>): number {
  return medianOf(Float64Array.from(values));
}

let scratch = new Float64Array(256);

/**
 * mad is the median absolute deviation from the median. It works in a reused module-level buffer:
 * a forecast calls it twice per series, ten thousand series per evaluation, and allocating a typed
 * array each time cost more than the arithmetic.
 */
export function mad(values: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  if (scratch.length < n) scratch = new Float64Array(n);
  const a = scratch.subarray(0, n);
  for (let i = 0; i < n; i++) a[i] = values[i]!;
  const m = medianOf(a);
  // Reuse the copy for the deviations.
  for (let i = 0; i < n; i++) a[i] = Math.abs(a[i]! - m);
  return medianOf(a);
}

/** normalCdf is Φ(z), the standard normal distribution function (Abramowitz–Stegun 7.1.26, error < 1.5e-7). */
export function normalCdf(z: number): number {
  if (z === Infinity) return 1;
  if (z === -Infinity) return 0;
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
