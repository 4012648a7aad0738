import { describe, expect, it } from 'vitest';
import { backoffSeconds } from './backoff.js';

describe('backoffSeconds', () => {
  it('doubles from the base and stops at the cap', () => {
    const mid = () => 0.5; // no jitter
    expect([1, 2, 3, 4, 5, 10].map((n) => backoffSeconds(n, 1, 10, mid))).toEqual([1, 2, 4, 8, 10, 10]);
  });
  it('jitters within ±20 %, never above the cap', () => {
    expect(backoffSeconds(3, 1, 100, () => 0)).toBeCloseTo(3.2);
    expect(backoffSeconds(3, 1, 100, () => 1)).toBeCloseTo(4.8);
    expect(backoffSeconds(9, 1, 100, () => 1)).toBe(100);
  });
});
