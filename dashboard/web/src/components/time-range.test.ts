import { describe, expect, it } from 'vitest';
import { stepFor } from '../api';
import { parseRange, rangeParams } from './time-range';

describe('time range', () => {
  it('reads presets and from/to from the query string and writes them back', () => {
    const p = parseRange(new URLSearchParams('range=6h'));
    expect(p.live).toBe(false);
    if (!p.live) expect(p.to - p.from).toBe(21_600);
    expect(rangeParams(p)).toEqual({ range: '6h', from: undefined, to: undefined });
    const ft = parseRange(new URLSearchParams('from=1000&to=5000'));
    expect(ft).toEqual({ live: false, from: 1000, to: 5000 });
    expect(rangeParams(ft)).toEqual({ range: undefined, from: '1000', to: '5000' });
    expect(parseRange(new URLSearchParams('from=5000&to=1000'))).toEqual({ live: true });
    expect(parseRange(new URLSearchParams(''))).toEqual({ live: true });
  });

  it('picks a query_range step that keeps every range under 1,000 points', () => {
    for (const range of [900, 3600, 21_600, 86_400, 604_800, 2_678_400]) {
      const step = stepFor(range, 1000, 5);
      expect(range / step).toBeLessThanOrEqual(1000);
      expect(step).toBeGreaterThanOrEqual(5);
    }
    expect(stepFor(900, 1000, 5)).toBe(5);
  });
});
