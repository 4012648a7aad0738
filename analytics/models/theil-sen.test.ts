import fc from 'fast-check';
import { TheilSenRegression } from 'ml-regression-theil-sen';
import { describe, expect, it } from 'vitest';
import { theilSen } from './theil-sen.js';

describe('theilSen', () => {
  it('agrees with ml-regression-theil-sen', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })), {
          minLength: 2,
          maxLength: 40,
        }),
        (pts) => {
          const x = pts.map((p) => p[0]);
          const y = pts.map((p) => p[1]);
          if (new Set(x).size < 2) return;
          const ref = new TheilSenRegression(x, y);
          const got = theilSen(x, y, new Float64Array(1000));
          expect(got.slope).toBeCloseTo(ref.slope, 6);
          expect(got.intercept).toBeCloseTo(ref.intercept, 3);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('ignores a minority of outliers', () => {
    const x = Array.from({ length: 20 }, (_, i) => i);
    const y = x.map((v) => (v % 5 === 0 ? 1000 : 2 * v + 1));
    expect(theilSen(x, y)).toEqual({ slope: 2, intercept: 1 });
  });
});
