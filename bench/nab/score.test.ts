import { describe, expect, it } from 'vitest';
import { NAB_PROFILES, normalise, probationRows, scaledSigmoid, scoreFile, windowsToRows } from './score.js';

const std = NAB_PROFILES.standard;
const alertsAt = (n: number, rows: number[]) => {
  const a = new Array<number>(n).fill(0);
  for (const r of rows) a[r] = 1;
  return a;
};

describe('NAB scoring', () => {
  it('has the scaled sigmoid NAB uses', () => {
    expect(scaledSigmoid(0)).toBe(0);
    // σ(−1) = 2/(1+e^−5) − 1
    expect(scaledSigmoid(-1)).toBeCloseTo(2 / (1 + Math.exp(-5)) - 1, 12);
    expect(scaledSigmoid(3.5)).toBe(-1);
  });

  it('ignores the probation rows: min(floor(0.15 N), 750)', () => {
    expect(probationRows(1000)).toBe(150);
    expect(probationRows(10_000)).toBe(750);
    // A detection at row 100 of 1000 (in probation) is neither a TP nor an FP: the window is missed.
    const s = scoreFile(alertsAt(1000, [100]), [{ left: 90, right: 110 }], std);
    expect(s).toMatchObject({ tp: 0, fp: 0, fn: 1, raw: -1 });
  });

  it('rewards the earliest detection in a window only, by its position', () => {
    const win = { left: 500, right: 599 }; // width 100
    const first = scoreFile(alertsAt(1000, [500]), [win], std);
    expect(first.raw).toBeCloseTo(1, 12); // y = −(599−500+1)/100 = −1 → A_TP
    // Row 550: y = −(599−550+1)/100 = −0.5 → σ(−0.5)/σ(−1) = 0.848283/0.986614.
    const mid = scoreFile(alertsAt(1000, [550, 560, 590]), [win], std);
    expect(mid.raw).toBeCloseTo(0.8482836399575129 / 0.9866142981514305, 9);
    expect(mid).toMatchObject({ tp: 1, fp: 0, fn: 0 });
  });

  it('costs a detection before any window A_FP and one after a window A_FP·σ(d)', () => {
    const win = { left: 500, right: 599 };
    const before = scoreFile(alertsAt(1000, [300, 500]), [win], std);
    expect(before.raw).toBeCloseTo(1 - 0.11, 12);
    // Row 649: d = (649−599)/(100−1) = 0.50505; σ(d) = 2/(1+e^2.52525) − 1 = −0.851…
    const d = 50 / 99;
    const after = scoreFile(alertsAt(1000, [500, 649]), [win], std);
    expect(after.raw).toBeCloseTo(1 + 0.11 * (2 / (1 + Math.exp(5 * d)) - 1), 12);
    // Far past the window (d > 3): the full A_FP.
    const far = scoreFile(alertsAt(1000, [500, 950]), [win], NAB_PROFILES.reward_low_FP_rate);
    expect(far.raw).toBeCloseTo(1 - 0.22, 12);
    expect(far.fp).toBe(1);
  });

  it('costs a missed window A_FN and normalises against the null and perfect detectors', () => {
    const wins = [
      { left: 500, right: 599 },
      { left: 800, right: 899 },
    ];
    const s = scoreFile(alertsAt(1000, [500]), wins, NAB_PROFILES.reward_low_FN_rate);
    expect(s.raw).toBeCloseTo(1 - 2, 12);
    // null = −2·2 = −4, perfect = 2: 100·(−1 + 4)/(2 + 4) = 50.
    expect(normalise([s], NAB_PROFILES.reward_low_FN_rate)).toBeCloseTo(50, 9);
    expect(normalise([scoreFile(alertsAt(1000, []), wins, std)], std)).toBe(0);
    expect(normalise([scoreFile(alertsAt(1000, [500, 800]), wins, std)], std)).toBeCloseTo(100, 9);
  });

  it('maps timestamp windows to rows (inclusive)', () => {
    const times = [0, 300, 600, 900, 1200].map((s) => s * 1000);
    expect(windowsToRows(times, [[250_000, 900_000]])).toEqual([{ left: 1, right: 3 }]);
  });
});
