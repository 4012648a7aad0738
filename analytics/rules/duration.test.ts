import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('durations', () => {
  it('parses Prometheus, seed 000 and numeric notations', () => {
    expect(parseDuration('5m')).toBe(300);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('500ms')).toBe(0.5);
    expect(parseDuration('0d_0h_0m_5000s')).toBe(5000);
    expect(parseDuration('1d_2h_3m_4s')).toBe(93_784);
    expect(parseDuration(42)).toBe(42);
    expect(parseDuration('42')).toBe(42);
  });
  it('rejects what is not a duration', () => {
    for (const bad of ['', 'm5', '5 m', '-1s', 'five', '1h-', -3, NaN, Infinity]) expect(parseDuration(bad)).toBeUndefined();
  });
  it('formats seconds for PromQL', () => {
    expect(formatDuration(300)).toBe('5m');
    expect(formatDuration(5400)).toBe('1h30m');
    expect(formatDuration(90061)).toBe('1d1h1m1s');
    expect(formatDuration(0.25)).toBe('250ms');
  });
});
