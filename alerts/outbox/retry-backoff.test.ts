import { describe, expect, it } from 'vitest';
import { retryDelay } from './outbox.js';

describe("the outbox's retry delay", () => {
  it('doubles from the base and stops at the cap', () => {
    const mid = () => 0.5; // no jitter
    expect([1, 2, 3, 4, 5, 10].map((n) => retryDelay(n, { retryBase: 1, retryMax: 10 }, mid))).toEqual([1, 2, 4, 8, 10, 10]);
  });
  it('jitters within ±20 %, never above the cap', () => {
    expect(retryDelay(3, { retryBase: 1, retryMax: 100 }, () => 0)).toBeCloseTo(3.2);
    expect(retryDelay(3, { retryBase: 1, retryMax: 100 }, () => 1)).toBeCloseTo(4.8);
    expect(retryDelay(9, { retryBase: 1, retryMax: 100 }, () => 1)).toBe(100);
  });
});
