import { InvalidParameterError } from '../errors.js';
import { parseDuration } from '../rules/duration.js';

/** parseTime reads a time given as RFC 3339 text or unix seconds (number or numeric string) and returns unix seconds. */
export function parseTime(value: unknown, name: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '') {
    if (/^-?\d+(\.\d+)?$/.test(value.trim())) return Number(value);
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return ms / 1000;
  }
  throw new InvalidParameterError(`${name}: expected an RFC 3339 time (2024-05-01T12:00:00Z) or unix seconds, got ${JSON.stringify(value) ?? 'nothing'}`);
}

/** parseWindow reads a duration parameter (`5m`, `1h`, seconds), with a default and bounds in seconds. */
export function parseWindow(value: unknown, name: string, dflt: number, min: number, max: number): number {
  if (value === undefined || value === '') return dflt;
  const s = typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
  if (s === undefined || s < min || s > max) {
    throw new InvalidParameterError(`${name}: expected a duration such as 5m or 1h between ${min} s and ${max} s, got ${JSON.stringify(value)}`);
  }
  return s;
}
