/**
 * backoffDelay is the wait before retry number `attempt` (0-based): `baseMs · 2^attempt`, capped at
 * 10 s, with ±50 % jitter so that many clients retrying together spread out.
 */
export function backoffDelay(attempt: number, baseMs: number): number {
  const d = Math.min(10_000, baseMs * 2 ** attempt);
  return d * (0.5 + Math.random());
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
