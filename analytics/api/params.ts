import { InvalidParameterError } from '../errors.js';
import { parseDuration } from '../rules/duration.js';

/** Latest time accepted, in unix seconds (9999-12-31T23:59:59Z): any later one cannot be written as a date. */
const MAX_TIME = 253_402_300_799;

function inRange(t: number): number | undefined {
  return Number.isFinite(t) && t >= 0 && t <= MAX_TIME ? t : undefined;
}

/**
 * parseTime reads a time given as RFC 3339 text or unix seconds (number or numeric string) and returns
 * unix seconds, between 1970 and the end of year 9999.
 */
export function parseTime(value: unknown, name: string): number {
  let t: number | undefined;
  if (typeof value === 'number') t = inRange(value);
  else if (typeof value === 'string' && value.trim() !== '') {
    t = /^-?\d+(\.\d+)?$/.test(value.trim()) ? inRange(Number(value)) : inRange(Date.parse(value) / 1000);
  }
  if (t !== undefined) return t;
  throw new InvalidParameterError(
    `${name}: expected an RFC 3339 time (2024-05-01T12:00:00Z) or unix seconds between 0 and ${MAX_TIME} (1970 to 9999), got ${JSON.stringify(value) ?? 'nothing'}`,
  );
}

/** parseWindow reads a duration parameter (`5m`, `1h`, seconds), with a default and bounds in seconds. */
export function parseWindow(value: unknown, name: string, dflt: number, min: number, max: number): number {
  if (value === undefined || value === '') return dflt;
  const s = typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
  if (s === undefined || s < min || s > max) {
    throw new InvalidParameterError(
      `${name}: expected a duration such as 5m or 1h between ${min} s and ${max} s, got ${JSON.stringify(value)}`,
    );
  }
  return s;
}
