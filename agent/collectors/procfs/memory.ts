import { join } from 'node:path';
import type { HostMetrics } from '../../metrics.js';
import { readProc } from '../read-proc.js';
import type { Collector } from '../collector.js';

/** parseMeminfo parses /proc/meminfo into bytes by key. */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const rest = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/);
    const n = Number(rest[0]);
    if (!Number.isFinite(n)) continue;
    out.set(line.slice(0, colon), rest[1] === 'kB' ? n * 1024 : n);
  }
  return out;
}

/** MemoryCollector reads /proc/meminfo: memory and swap totals, use and percentages. */
export class MemoryCollector implements Collector {
  readonly name = 'memory';
  constructor(
    private readonly m: HostMetrics,
    private readonly procfs: string,
  ) {}

  async collect(): Promise<void> {
    const mi = parseMeminfo(readProc(join(this.procfs, 'meminfo')));
    const total = mi.get('MemTotal');
    if (!total) throw new Error('MemTotal missing from meminfo');
    const free = mi.get('MemFree') ?? 0;
    const buffers = mi.get('Buffers') ?? 0;
    const cached = (mi.get('Cached') ?? 0) + (mi.get('SReclaimable') ?? 0);
    // Kernels before 3.14 have no MemAvailable; free + buffers + cache is the old approximation.
    const available = mi.get('MemAvailable') ?? free + buffers + cached;
    const used = Math.max(0, total - available);
    const m = this.m;
    m.memTotal.set(total);
    m.memUsed.set(used);
    m.memAvailable.set(available);
    m.memFree.set(free);
    m.memCached.set(cached);
    m.memBuffers.set(buffers);
    m.memUsage.set((used / total) * 100);
    const swapTotal = mi.get('SwapTotal') ?? 0;
    const swapUsed = Math.max(0, swapTotal - (mi.get('SwapFree') ?? 0));
    m.swapTotal.set(swapTotal);
    m.swapUsed.set(swapUsed);
    m.swapUsage.set(swapTotal > 0 ? (swapUsed / swapTotal) * 100 : 0);
  }
}
