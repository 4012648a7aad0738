/**
 * Backoff is how a retrier spaces its attempts: exponential from `base`, capped at `max`, optionally
 * jittered so that many clients failing together do not retry in lockstep. The unit is the caller's:
 * a delay comes back in the unit of `base` and `max`.
 */
export interface Backoff {
  /** Delay before the first retry. */
  base: number;
  /** Largest delay (before jitter, see jitterPastMax). */
  max: number;
  /** Jitter as a fraction: the delay is scaled by a random factor in [1 − jitter, 1 + jitter); default 0, none. */
  jitter?: number;
  /** Let jitter take a capped delay past `max` (up to max · (1 + jitter)); default false, the cap holds. */
  jitterPastMax?: boolean;
}

/**
 * backoffDelay is the wait before retry number `retry` (0-based: 0 after the first failure):
 * `base · 2^retry`, at most `max`, then jittered. `random` is Math.random's stand-in for tests.
 */
export function backoffDelay(retry: number, b: Backoff, random: () => number = Math.random): number {
  const raw = Math.min(b.max, b.base * 2 ** Math.max(0, retry));
  const delay = b.jitter ? raw * (1 + b.jitter * (2 * random() - 1)) : raw;
  return b.jitterPastMax ? delay : Math.min(b.max, delay);
}

/** sleep waits `ms`, or less if the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
