import { describe, expect, it } from 'vitest';
import { backoffDelay, sleep } from './backoff.js';
import { retryDelayMs } from './prometheus/client.js';

describe('backoffDelay', () => {
  it('doubles from the base up to the cap, exactly when there is no jitter', () => {
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffDelay(n, { base: 50, max: 200 }))).toEqual([50, 100, 200, 200, 200, 200]);
    expect(backoffDelay(-1, { base: 50, max: 200 })).toBe(50);
    expect(backoffDelay(0, { base: 500, max: 200 })).toBe(200);
  });
  it('spreads a delay over ±jitter of itself, and keeps the cap unless told not to', () => {
    const b = { base: 100, max: 1000, jitter: 0.25 };
    expect(backoffDelay(1, b, () => 0)).toBeCloseTo(150);
    expect(backoffDelay(1, b, () => 0.5)).toBeCloseTo(200);
    expect(backoffDelay(1, b, () => 0.999_999)).toBeCloseTo(250);
    expect(backoffDelay(9, b, () => 0.999_999)).toBe(1000);
    expect(backoffDelay(9, { ...b, jitterPastMax: true }, () => 0.999_999)).toBeCloseTo(1250);
  });
  it('sleep ends early when its signal aborts', async () => {
    const ac = new AbortController();
    const slept = sleep(60_000, ac.signal);
    ac.abort();
    await expect(slept).resolves.toBeUndefined();
  });
});

describe("the Prometheus client's retry delay", () => {
  it('doubles from backoffMs, capped at 10 s before ±50 % jitter', () => {
    const mid = () => 0.5; // no jitter
    expect([0, 1, 2, 5, 6, 20].map((i) => retryDelayMs(i, 200, mid))).toEqual([200, 400, 800, 6400, 10_000, 10_000]);
    expect(retryDelayMs(2, 200, () => 0)).toBeCloseTo(400);
    expect(retryDelayMs(2, 200, () => 1)).toBeCloseTo(1200);
    expect(retryDelayMs(20, 200, () => 1)).toBeCloseTo(15_000);
    expect(retryDelayMs(20, 200, () => 0)).toBe(5000);
  });
});
