import { describe, expect, it } from 'vitest';
import { formatHumanDuration, formatPromDuration, parsePromDuration } from './duration.js';

describe('Prometheus durations', () => {
  it('parses the notation', () => {
    expect(parsePromDuration('5m')).toBe(300);
    expect(parsePromDuration('1h30m')).toBe(5400);
    expect(parsePromDuration('500ms')).toBe(0.5);
    expect(parsePromDuration('1w1y')).toBe(604_800 + 31_536_000);
  });
  it('rejects what is not in it', () => {
    for (const bad of ['', '5', 'm5', '5 m', '-1s', '1x', '1h-', '1.5h']) expect(parsePromDuration(bad)).toBeUndefined();
  });
  it('formats seconds for PromQL, and parses back what it wrote', () => {
    expect(formatPromDuration(300)).toBe('5m');
    expect(formatPromDuration(90)).toBe('1m30s');
    expect(formatPromDuration(5400)).toBe('1h30m');
    expect(formatPromDuration(90061)).toBe('1d1h1m1s');
    expect(formatPromDuration(0.25)).toBe('250ms');
    expect(formatPromDuration(0)).toBe('0s');
    for (const s of [1, 59, 61, 3599, 86_401, 7 * 86_400]) expect(parsePromDuration(formatPromDuration(s))).toBe(s);
  });
});

describe('durations for people', () => {
  it('writes the largest unit and the next one unless it is zero', () => {
    const cases: Array<[number, string]> = [
      [0, '0 s'],
      [-5, '0 s'],
      [0.4, '0 s'],
      [45, '45 s'],
      [59.6, '1 min'],
      [60, '1 min'],
      [200, '3 min 20 s'],
      [3600, '1 h'],
      [3720, '1 h 2 min'],
      [7500, '2 h 5 min'],
      [86_400, '1 d'],
      [93_784, '1 d 2 h'],
      [30 * 86_400, '30 d'],
    ];
    for (const [s, text] of cases) expect([s, formatHumanDuration(s)]).toEqual([s, text]);
  });
  it('writes one rounded unit for a prediction ("in about …")', () => {
    const cases: Array<[number, string]> = [
      [0, '0 s'],
      [89, '89 s'],
      [90, '2 min'],
      [5399, '90 min'],
      [5400, '1.5 h'],
      [9000, '2.5 h'],
      [172_799, '48.0 h'],
      [172_800, '2.0 d'],
      [3.5 * 86_400, '3.5 d'],
    ];
    for (const [s, text] of cases) expect([s, formatHumanDuration(s, { precision: 'about' })]).toEqual([s, text]);
  });
});
