import { join } from 'node:path';
import type { HostMetrics } from '../../metrics.js';
import { readProc } from '../read-proc.js';
import { splitFields, type Collector } from '../collector.js';

/** Column order of the cpu lines in /proc/stat (proc(5)). */
const MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

/** CpuTimes is one cpu line of /proc/stat in clock ticks. */
export interface CpuTimes {
  cpu: string;
  ticks: number[];
}

/** ProcStat is what the agent reads from /proc/stat. */
export interface ProcStat {
  total: CpuTimes;
  cores: CpuTimes[];
  bootTime: number;
  procsRunning: number;
  procsBlocked: number;
}

/** parseProcStat parses /proc/stat. */
export function parseProcStat(text: string): ProcStat {
  const cores: CpuTimes[] = [];
  let total: CpuTimes | undefined;
  let bootTime = NaN;
  let procsRunning = NaN;
  let procsBlocked = NaN;
  for (const line of text.split('\n')) {
    if (line.startsWith('cpu')) {
      const f = splitFields(line);
      const ticks = MODES.map((_, i) => Number(f[i + 1] ?? 0));
      if (f[0] === 'cpu') total = { cpu: 'all', ticks };
      else cores.push({ cpu: f[0]!.slice(3), ticks });
    } else if (line.startsWith('btime ')) bootTime = Number(line.slice(6));
    else if (line.startsWith('procs_running ')) procsRunning = Number(line.slice(14));
    else if (line.startsWith('procs_blocked ')) procsBlocked = Number(line.slice(14));
  }
  if (!total) throw new Error('no cpu line in /proc/stat');
  return { total, cores, bootTime, procsRunning, procsBlocked };
}

/**
 * busyPercent is the share of non-idle time between two readings, in percent. Idle includes iowait,
 * as top and node_exporter-based dashboards count it. Returns undefined when no time passed.
 */
export function busyPercent(prev: number[], cur: number[]): number | undefined {
  let total = 0;
  let idle = 0;
  for (let i = 0; i < MODES.length; i++) {
    const d = Math.max(0, (cur[i] ?? 0) - (prev[i] ?? 0));
    total += d;
    if (MODES[i] === 'idle' || MODES[i] === 'iowait') idle += d;
  }
  if (total <= 0) return undefined;
  return Math.min(100, Math.max(0, ((total - idle) / total) * 100));
}

/**
 * CpuCollector reads /proc/stat: overall and per-core usage percent over the interval, per-mode CPU
 * seconds, boot time and runnable/blocked process counts.
 */
export class CpuCollector implements Collector {
  readonly name = 'cpu';
  private prev?: ProcStat;

  constructor(
    private readonly m: HostMetrics,
    private readonly procfs: string,
    /** Clock ticks per second (USER_HZ); 100 on Linux. */
    private readonly ticksPerSecond = 100,
  ) {}

  async collect(): Promise<void> {
    const stat = parseProcStat(readProc(join(this.procfs, 'stat')));
    const m = this.m;
    const hz = this.ticksPerSecond;
    m.cpuCount.set(stat.cores.length);
    m.cpuSeconds.replace(
      stat.cores.flatMap((c) => MODES.map((mode, i) => ({ labels: { cpu: c.cpu, mode }, value: (c.ticks[i] ?? 0) / hz }))),
    );
    if (Number.isFinite(stat.bootTime)) m.bootTime.set(stat.bootTime);
    if (Number.isFinite(stat.procsRunning)) m.procsRunning.set(stat.procsRunning);
    if (Number.isFinite(stat.procsBlocked)) m.procsBlocked.set(stat.procsBlocked);
    const prev = this.prev;
    if (!prev) {
      this.prev = stat; // usage needs two readings; the first cycle publishes counters only
      return;
    }
    // Under 0.1 s of CPU time per core the percentages are mostly rounding: keep the older reading
    // and measure over a longer window next cycle.
    const elapsedTicks = stat.total.ticks.reduce((a, b) => a + b, 0) - prev.total.ticks.reduce((a, b) => a + b, 0);
    if (elapsedTicks < (hz / 10) * Math.max(1, stat.cores.length)) return;
    this.prev = stat;
    const overall = busyPercent(prev.total.ticks, stat.total.ticks);
    if (overall !== undefined) m.cpuUsage.set(overall);
    const prevCores = new Map(prev.cores.map((c) => [c.cpu, c.ticks]));
    const perCore: Array<{ labels: { cpu: string }; value: number }> = [];
    for (const c of stat.cores) {
      const p = prevCores.get(c.cpu);
      const v = p && busyPercent(p, c.ticks);
      if (v !== undefined && p) perCore.push({ labels: { cpu: c.cpu }, value: v });
    }
    m.cpuCoreUsage.replace(perCore);
  }

  /** prime takes the first reading so that the first published cycle already has usage. */
  async prime(): Promise<void> {
    this.prev = parseProcStat(readProc(join(this.procfs, 'stat')));
  }
}
