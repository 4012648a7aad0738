import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HistoryStore } from './history-store.js';

describe('HistoryStore', () => {
  it('filters, pages newest first, and survives a reopen', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-history-'));
    try {
      const h = new HistoryStore(join(dir, 'history.jsonl'));
      await h.open();
      for (let i = 0; i < 25; i++) {
        h.record({
          at: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
          fingerprint: `f${i % 5}`,
          event: i % 2 ? 'fired' : 'resolved',
          alertname: 'A',
          instance: `i${i % 3}`,
          severity: i < 10 ? 'critical' : 'warning',
        });
      }
      const p1 = h.query({ instance: 'i0', page: 1, limit: 3 });
      expect(p1.total).toBe(9);
      expect(p1.events.map((e) => e.at.slice(14, 16))).toEqual(['24', '21', '18']);
      expect(p1.nextPage).toBe(2);
      expect(h.query({ instance: 'i0', page: 3, limit: 3 }).nextPage).toBeNull();
      expect(h.query({ severity: 'critical', event: 'fired', page: 1, limit: 100 }).total).toBe(5);
      expect(h.query({ from: Date.UTC(2026, 0, 1, 0, 20), to: Date.UTC(2026, 0, 1, 0, 22), page: 1, limit: 100 }).total).toBe(3);
      await h.flush();
      const again = new HistoryStore(join(dir, 'history.jsonl'));
      await again.open();
      expect(again.forAlert('f1')).toHaveLength(5);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rotates history.jsonl by size, keeps the configured number of files, and holds only the newest events in memory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-history-'));
    try {
      const path = join(dir, 'history.jsonl');
      const h = new HistoryStore(path, { maxBytes: 10_000, files: 2, memoryEvents: 300 });
      await h.open();
      for (let i = 0; i < 2000; i++) {
        h.record({ fingerprint: `f${i}`, event: 'fired', alertname: 'A', instance: 'i', severity: 'warning' });
        if (i % 50 === 49) await h.flush();
      }
      await h.flush();
      expect((await readdir(dir)).sort()).toEqual(['history.jsonl', 'history.jsonl.1', 'history.jsonl.2']);
      for (const f of ['history.jsonl', 'history.jsonl.1', 'history.jsonl.2'])
        expect((await stat(join(dir, f))).size).toBeLessThanOrEqual(10_000);
      const all = h.query({ page: 1, limit: 1000 });
      expect(all.total).toBeLessThanOrEqual(400);
      expect(all.events[0]!.fingerprint).toBe('f1999');
      const again = new HistoryStore(path, { maxBytes: 10_000, files: 2, memoryEvents: 300 });
      await again.open();
      expect(again.forAlert('f1999')).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
