import { join } from 'node:path';
import type { HostMetrics } from '../../metrics.js';
import { readProc } from '../read-proc.js';
import { splitFields, type Collector } from '../collector.js';

/** SystemCollector reads /proc/loadavg and /proc/uptime: load averages and uptime. */
export class SystemCollector implements Collector {
  readonly name = 'system';
  constructor(
    private readonly m: HostMetrics,
    private readonly procfs: string,
  ) {}

  async collect(): Promise<void> {
    const load = readProc(join(this.procfs, 'loadavg'));
    const uptime = readProc(join(this.procfs, 'uptime'));
    const l = splitFields(load).map(Number);
    if (!(l.length >= 3 && l.slice(0, 3).every(Number.isFinite))) throw new Error(`unexpected loadavg: ${load.trim()}`);
    this.m.load1.set(l[0]!);
    this.m.load5.set(l[1]!);
    this.m.load15.set(l[2]!);
    const up = Number(splitFields(uptime)[0]);
    if (!Number.isFinite(up)) throw new Error(`unexpected uptime: ${uptime.trim()}`);
    this.m.uptime.set(up);
  }
}
