import { MAD_TO_SIGMA, mad } from './robust-stats.js';

function median3(a: number, b: number, c: number): number {
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

/** Options of findLastReset. */
export interface ResetOptions {
  /** +1 when the rule watches for a rise (`>`), -1 for a fall (`<`): a reset is a jump the other way. */
  direction: 1 | -1;
  /** The series is a counter: any decrease is a reset, as Prometheus's rate() reads it. */
  counter: boolean;
}

// Reused between calls (see mad): the step-to-step changes of the series being examined.
let diffs = new Float64Array(256);

/**
 * findLastReset returns the index where the series last restarted — a counter reset, or a gauge's
 * lasting level shift against the watched direction (a disk cleaned up, a log rotated) — or 0 when it
 * never did. Fitting from there keeps a sawtooth from flattening the trend. A gauge's shift counts
 * only when it lasts (the median of the next three points stays past it) and is larger than six
 * robust standard deviations of the step-to-step changes, so a single outlier is not a reset.
 */
export function findLastReset(values: ArrayLike<number>, opts: ResetOptions): number {
  const n = values.length;
  if (n < 2) return 0;
  if (opts.counter) {
    for (let i = n - 1; i > 0; i--) if (values[i]! < values[i - 1]!) return i;
    return 0;
  }
  if (diffs.length < n - 1) diffs = new Float64Array(n - 1);
  for (let i = 1; i < n; i++) diffs[i - 1] = values[i]! - values[i - 1]!;
  const noise = MAD_TO_SIGMA * mad(diffs.subarray(0, n - 1));
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    lo = Math.min(lo, values[i]!);
    hi = Math.max(hi, values[i]!);
  }
  const range = hi - lo;
  // Without noise (a perfectly smooth series) any clear jump against the trend is a shift.
  const jump = Math.max(6 * noise, 0.05 * range, 1e-9);
  for (let i = n - 3; i >= 1; i--) {
    // Cheap test first: the step itself must be a jump against the direction.
    if (!(opts.direction * (values[i]! - values[i - 1]!) < -jump)) continue;
    const before = median3(values[Math.max(0, i - 3)]!, values[Math.max(0, i - 2)]!, values[i - 1]!);
    const after = median3(values[i]!, values[i + 1]!, values[i + 2]!);
    if (opts.direction * (after - before) < -jump) return i;
  }
  return 0;
}
