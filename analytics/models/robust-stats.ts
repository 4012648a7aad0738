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
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** lnGamma is ln Γ(x) for x > 0 (Lanczos, g = 7, nine terms: about 15 digits). */
function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const xx = x - 1;
  let a = c[0]!;
  const t = xx + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (xx + i);
  return 0.5 * Math.log(2 * Math.PI) + (xx + 0.5) * Math.log(t) - t + Math.log(a);
}

/** The continued fraction of the regularized incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 200; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-12) break;
  }
  return h;
}

/** incompleteBeta is the regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/**
 * studentTCdf is P(T ≤ t) for Student's t distribution with `df` degrees of freedom: what a z-score
 * becomes when the noise σ is itself estimated from few points (ten points of a short window leave 8
 * degrees of freedom, and a normal 99.9 % of 3.09 is a t of 4.5). Beyond 200 degrees of freedom it is Φ.
 */
export function studentTCdf(t: number, df: number): number {
  if (Number.isNaN(t)) return NaN;
  if (!(df < 200)) return normalCdf(t);
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}
