/**
 * NAB's scoring rules (Numenta Anomaly Benchmark v1.1), as written out in `../shared/nab/README.md`:
 * probation, the scaled sigmoid that rewards early detections inside a window and discounts false
 * positives just after one, and the normalisation against the null and the perfect detector.
 */

/** A cost profile: weights of a true positive, a false positive and a missed window. */
export interface NabProfile {
  tp: number;
  fp: number;
  fn: number;
}

/** NAB's three profiles. */
export const NAB_PROFILES: Record<'standard' | 'reward_low_FP_rate' | 'reward_low_FN_rate', NabProfile> = {
  standard: { tp: 1, fp: 0.11, fn: 1 },
  reward_low_FP_rate: { tp: 1, fp: 0.22, fn: 1 },
  reward_low_FN_rate: { tp: 1, fp: 0.11, fn: 2 },
};

/** A labelled window as row indexes, both inclusive. */
export interface RowWindow {
  left: number;
  right: number;
}

/** scaledSigmoid is NAB's σ(y) = 2/(1+e^(5y)) − 1, and −1 past three window widths. */
export function scaledSigmoid(y: number): number {
  if (y > 3) return -1;
  return 2 / (1 + Math.exp(5 * y)) - 1;
}

/** probationRows is min(floor(0.15·N), 750): the rows whose detections NAB ignores. */
export function probationRows(n: number): number {
  return Math.min(Math.floor(0.15 * n), 750);
}

/** windowsToRows maps `[start, end]` timestamps (ms) to row indexes of `times` (ms, ascending); empty windows are dropped. */
export function windowsToRows(times: ArrayLike<number>, windows: Array<[number, number]>): RowWindow[] {
  const out: RowWindow[] = [];
  for (const [start, end] of windows) {
    let left = -1;
    let right = -1;
    for (let i = 0; i < times.length; i++) {
      const t = times[i]!;
      if (left < 0 && t >= start) left = i;
      if (t <= end) right = i;
    }
    if (left >= 0 && right >= left) out.push({ left, right });
  }
  return out.sort((a, b) => a.left - b.left);
}

/** A file's outcome: its raw score and the detections' counts. */
export interface FileScore {
  raw: number;
  tp: number;
  fp: number;
  fn: number;
  windows: number;
}

/**
 * scoreFile scores one file's alert column (1 = detection) against its windows under a profile:
 * the earliest detection of a window earns tp·σ(y)/σ(−1) with y = −(right−i+1)/width; other
 * detections inside it count nothing; a window without one costs −fn; a detection outside every
 * window costs fp·σ(d), d = (i − previous right)/(previous width − 1), or −fp before any window.
 */
export function scoreFile(alerts: ArrayLike<number>, windows: RowWindow[], profile: NabProfile): FileScore {
  const n = alerts.length;
  const probation = probationRows(n);
  const detected = new Array<boolean>(windows.length).fill(false);
  let raw = 0;
  let tp = 0;
  let fp = 0;
  for (let i = probation; i < n; i++) {
    if (!alerts[i]) continue;
    const w = windows.findIndex((win) => i >= win.left && i <= win.right);
    if (w >= 0) {
      if (detected[w]) continue;
      detected[w] = true;
      const win = windows[w]!;
      const width = win.right - win.left + 1;
      raw += (profile.tp * scaledSigmoid(-(win.right - i + 1) / width)) / scaledSigmoid(-1);
      tp++;
      continue;
    }
    let prev: RowWindow | undefined;
    for (const win of windows) if (win.right < i) prev = win;
    fp++;
    if (!prev) {
      raw -= profile.fp;
      continue;
    }
    const width = prev.right - prev.left + 1;
    const d = width > 1 ? Math.abs(prev.right - i) / (width - 1) : Infinity;
    raw += profile.fp * scaledSigmoid(d);
  }
  const missed = detected.filter((d) => !d).length;
  raw -= profile.fn * missed;
  return { raw, tp, fp, fn: missed, windows: windows.length };
}

/** normalise turns the summed raw scores of a set into NAB's 0–100 scale: 100·(raw − null)/(perfect − null). */
export function normalise(scores: FileScore[], profile: NabProfile): number {
  const raw = scores.reduce((s, f) => s + f.raw, 0);
  const windows = scores.reduce((s, f) => s + f.windows, 0);
  const nullScore = -profile.fn * windows;
  const perfect = profile.tp * windows;
  return perfect === nullScore ? 0 : (100 * (raw - nullScore)) / (perfect - nullScore);
}
