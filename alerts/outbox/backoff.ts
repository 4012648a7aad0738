/**
 * backoffSeconds is the wait before attempt `attempt + 1` after `attempt` failures: exponential from
 * `base`, capped at `max`, with ±20 % jitter so that many failed deliveries do not retry in lockstep.
 */
export function backoffSeconds(attempt: number, base: number, max: number, random: () => number = Math.random): number {
  const raw = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  const jitter = 0.8 + 0.4 * random();
  return Math.min(max, raw * jitter);
}
