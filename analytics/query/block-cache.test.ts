import { describe, expect, it } from 'vitest';
import { BlockCache, SETTLE_SECONDS } from './block-cache.js';

describe('BlockCache', () => {
  it('keeps a settled answer until the blocks move, per rule object and window', () => {
    const c = new BlockCache();
    const rule = {};
    const end = 900 * 1000;
    // Fetched right after the block ended: not kept, the last block may still be receiving samples.
    c.set(rule, 0, 'q', end, end + 5, 'early');
    expect(c.get(rule, 0, 'q', end)).toBeUndefined();
    c.set(rule, 0, 'q', end, end + SETTLE_SECONDS, 'settled');
    expect(c.get(rule, 0, 'q', end)).toBe('settled');
    // Another window, query, block end or rule object does not see it.
    expect(c.get(rule, 1, 'q', end)).toBeUndefined();
    expect(c.get(rule, 0, 'other', end)).toBeUndefined();
    expect(c.get(rule, 0, 'q', end + 900)).toBeUndefined();
    expect(c.get({}, 0, 'q', end)).toBeUndefined();
    expect(c.stats()).toEqual({ hits: 1, misses: 5 });
    // An unsettled fetch of the same window drops the old answer rather than keeping a stale one.
    c.set(rule, 0, 'q', end + 900, end + 905, 'next');
    expect(c.get(rule, 0, 'q', end)).toBeUndefined();
    c.set(rule, 0, 'q', end, end + 100, 'again');
    c.clear();
    expect(c.get(rule, 0, 'q', end)).toBeUndefined();
  });
});
