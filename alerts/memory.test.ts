import { describe, expect, it } from 'vitest';
import { exposeGc, MemoryCompactor } from './memory.js';

describe('MemoryCompactor', () => {
  it('collects once after the held alerts drop to half their peak, by at least minShed', () => {
    let runs = 0;
    const c = new MemoryCompactor(100, () => runs++);
    for (const held of [0, 50, 400, 300, 210]) expect(c.observe(held, 0)).toBe(false);
    expect(c.observe(150, 0)).toBe(true);
    expect(runs).toBe(2);
    expect(c.observe(100, 1000)).toBe(false); // the drop was handled; the peak restarts at 150
    expect(runs).toBe(2);
    c.observe(100, 20_000); // once more after a quiet while
    expect(runs).toBe(3);
  });

  it('finds V8 garbage collection in this runtime', () => {
    expect(typeof exposeGc()).toBe('function');
  });
});
