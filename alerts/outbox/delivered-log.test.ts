import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeliveredLog } from './delivered-log.js';

describe('DeliveredLog', () => {
  it('keeps at most maxKeys keys, forgets keys past their retention, and compacts the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-delivered-'));
    try {
      const path = join(dir, 'delivered.log');
      const log = new DeliveredLog(path, { retentionMs: 60_000, maxKeys: 100 });
      await log.open();
      await Promise.all(Array.from({ length: 2500 }, (_, i) => log.add(`k${i}`)));
      expect(log.size).toBe(100);
      expect(log.has('k2499')).toBe(true);
      expect(log.has('k0')).toBe(false);
      await log.maintain();
      expect((await readFile(path, 'utf8')).split('\n').filter(Boolean)).toHaveLength(100);
      await log.maintain(Date.now() + 120_000); // past the retention
      expect(log.size).toBe(0);
      await log.add('late');
      await log.close();
      const again = new DeliveredLog(path, { retentionMs: 60_000, maxKeys: 100 });
      await again.open();
      expect(again.has('late')).toBe(true);
      expect(again.has('k2499')).toBe(true);
      expect(again.size).toBeLessThanOrEqual(100);
      await again.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
