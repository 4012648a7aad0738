/**
 * Durations in rules: Prometheus's notation (`90s`, `5m`, `1h30m`, `2d`, `1w`), seed 000's
 * `0d_0h_5m_0s`, or a plain number of seconds.
 */

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };
const PROM = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;
const PROM_PART = /(\d+)(ms|s|m|h|d|w|y)/g;
const SEED = /^(\d+)d_(\d+)h_(\d+)m_(\d+)s$/;

/** A duration as rules accept it: a string in either notation or a number of seconds. */
export type DurationInput = string | number;

/**
 * parseDuration returns the duration in seconds, or undefined when the text is not a duration.
 * Numbers are seconds; they must be finite and not negative.
 */
export function parseDuration(input: DurationInput): number | undefined {
  if (typeof input === 'number') return Number.isFinite(input) && input >= 0 ? input : undefined;
  const s = input.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  const seed = SEED.exec(s);
  if (seed) return Number(seed[1]) * 86_400 + Number(seed[2]) * 3600 + Number(seed[3]) * 60 + Number(seed[4]);
  if (!PROM.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(PROM_PART)) total += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  return total;
}

/** formatDuration renders seconds in Prometheus's notation for PromQL (`300` → `5m`, `90` → `90s`, `0.5` → `500ms`). */
export function formatDuration(seconds: number): string {
  if (seconds <= 0) return '0s';
  const ms = Math.round(seconds * 1000);
  if (ms % 1000 !== 0) return `${ms}ms`;
  let s = ms / 1000;
  let out = '';
  for (const [unit, size] of [['d', 86_400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    const n = Math.floor(s / size);
    if (n > 0) {
      out += `${n}${unit}`;
      s -= n * size;
    }
  }
  return out;
}
