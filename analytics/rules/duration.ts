import { parsePromDuration } from '../../common/duration.js';

/**
 * Durations in rules: Prometheus's notation (`90s`, `5m`, `1h30m`, `2d`, `1w`), seed 000's
 * `0d_0h_5m_0s`, or a plain number of seconds. Formatting is common/duration.ts's.
 */

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
  return parsePromDuration(s);
}
