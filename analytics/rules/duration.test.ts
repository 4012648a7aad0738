import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('rule durations', () => {
  it('parses Prometheus, seed 000 and numeric notations', () => {
    expect(parseDuration('5m')).toBe(300);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('500ms')).toBe(0.5);
    expect(parseDuration(' 2d ')).toBe(172_800);
    expect(parseDuration('0d_0h_0m_5000s')).toBe(5000);
    expect(parseDuration('1d_2h_3m_4s')).toBe(93_784);
    expect(parseDuration(42)).toBe(42);
    expect(parseDuration('42')).toBe(42);
    expect(parseDuration('1.5')).toBe(1.5);
  });
  it('rejects what is not a duration', () => {
    for (const bad of ['', 'm5', '5 m', '-1s', 'five', '1h-', '1e3', '-5', -3, NaN, Infinity]) expect(parseDuration(bad)).toBeUndefined();
  });
});
