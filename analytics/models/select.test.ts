import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { medianOf, selectKth } from './select.js';

describe('selectKth and medianOf', () => {
  it('agree with sorting', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, min: -1e9, max: 1e9 }), { minLength: 1, maxLength: 60 }), fc.nat(), (xs, k0) => {
        const sorted = [...xs].sort((a, b) => a - b);
        const k = k0 % xs.length;
        // == not Object.is: -0 and 0 are the same order statistic, and sort may put either first.
        expect(selectKth(Float64Array.from(xs), k) === sorted[k]).toBe(true);
        const n = xs.length;
        const med = n % 2 ? sorted[n >> 1]! : (sorted[(n >> 1) - 1]! + sorted[n >> 1]!) / 2;
        expect(medianOf(Float64Array.from(xs))).toBeCloseTo(med, 6);
      }),
      { numRuns: 1000 },
    );
  });
});
