import { readdirSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import type { HostMetrics } from '../../metrics.js';
import type { Collector } from '../collector.js';
import { readProc, yieldToEventLoop } from '../read-proc.js';

/** ProcStat is what the agent reads from /proc/<pid>/stat. */
export interface PidStat {
  pid: number;
  name: string;
  /** utime + stime, clock ticks. */
  cpuTicks: number;
  /** Start time after boot, clock ticks: with the pid, identifies the process across pid reuse. */
  start: number;
  /** Resident set size, pages. */
  rssPages: number;
}

/**
 * parsePidStat parses /proc/<pid>/stat; the name may hold spaces and parentheses. It scans for the
 * four fields it needs instead of splitting all fifty-odd: this runs for every process every cycle,
 * and the garbage of a full split was most of the agent's GC work.
 */
export function parsePidStat(pid: number, text: string): PidStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  // After the name: state(0) ppid(1) … utime(11) stime(12) … starttime(19) vsize(20) rss(21)
  const want = [11, 12, 19, 21];
  const got: number[] = [];
  let field = 0;
  let i = close + 2;
  while (i < text.length && got.length < want.length) {
    let j = text.indexOf(' ', i);
    if (j < 0) j = text.length;
    if (field === want[got.length]) got.push(Number(text.slice(i, j)));
    field++;
    i = j + 1;
  }
  const [utime, stime, start, rss] = got;
  if (got.length < 4 || !got.every(Number.isFinite)) return undefined;
  return { pid, name: text.slice(open + 1, close), cpuTicks: utime! + stime!, start: start!, rssPages: rss! };
}

/** ProcessUsage is the use of all processes of one name. */
export interface ProcessUsage {
  name: string;
  cpuPercent: number;
  memoryBytes: number;
  count: number;
}

/**
 * topProcesses picks the N names using most CPU and the N using most memory (the union, so at most
 * 2N series whatever the number of processes).
 */
export function topProcesses(usage: ProcessUsage[], n: number): ProcessUsage[] {
  // Names using nothing (idle kernel threads) are not "top" of anything; leave them out.
  const byCpu = usage
    .filter((u) => u.cpuPercent > 0)
    .sort((a, b) => b.cpuPercent - a.cpuPercent || a.name.localeCompare(b.name))
    .slice(0, n);
  const byMem = usage
    .filter((u) => u.memoryBytes > 0)
    .sort((a, b) => b.memoryBytes - a.memoryBytes || a.name.localeCompare(b.name))
    .slice(0, n);
  return [...new Set([...byCpu, ...byMem])];
}

/** Processes read between two yields to the event loop (well under 1 ms of synchronous work). */
const BATCH = 32;

/**
 * ProcessCollector reads /proc/<pid>/stat of every process (no `ps` process) and publishes the top N
 * process names by CPU and by memory. Processes of the same name are summed, as seed 001 reported
 * them, which also bounds cardinality on a host with thousands of processes.
 */
export class ProcessCollector implements Collector {
  readonly name = 'processes';
  private prev = new Map<number, { start: number; cpuTicks: number }>();
  private prevAt = 0;

  constructor(
    private readonly m: HostMetrics,
    private readonly procfs: string,
    private readonly topN: number,
    private readonly ticksPerSecond = 100,
    private readonly pageSize = 4096,
  ) {}

  async collect(): Promise<void> {
    const pids = readdirSync(this.procfs)
      .filter((e) => e.charCodeAt(0) >= 48 && e.charCodeAt(0) <= 57)
      .map(Number);
    const now = performance.now();
    const stats: Array<PidStat | undefined> = [];
    for (let i = 0; i < pids.length; i++) {
      if (i > 0 && i % BATCH === 0) await yieldToEventLoop();
      const pid = pids[i]!;
      try {
        stats.push(parsePidStat(pid, readProc(join(this.procfs, String(pid), 'stat'))));
      } catch {
        // exited since the directory was listed
      }
    }
    const elapsed = this.prevAt ? (now - this.prevAt) / 1000 : 0;
    const byName = new Map<string, ProcessUsage>();
    const seen = new Map<number, { start: number; cpuTicks: number }>();
    for (const s of stats) {
      if (!s) continue;
      seen.set(s.pid, { start: s.start, cpuTicks: s.cpuTicks });
      const before = this.prev.get(s.pid);
      const dTicks = before && before.start === s.start ? Math.max(0, s.cpuTicks - before.cpuTicks) : 0;
      const u = byName.get(s.name) ?? { name: s.name, cpuPercent: 0, memoryBytes: 0, count: 0 };
      if (elapsed > 0) u.cpuPercent += (dTicks / this.ticksPerSecond / elapsed) * 100;
      u.memoryBytes += s.rssPages * this.pageSize;
      u.count++;
      byName.set(s.name, u);
    }
    this.prev = seen;
    this.prevAt = now;
    const top = topProcesses([...byName.values()], this.topN);
    const total = totalmem();
    const m = this.m;
    m.processesTotal.set(seen.size);
    m.topMemBytes.replace(top.map((u) => ({ labels: { process: u.name }, value: u.memoryBytes })));
    m.topMemPercent.replace(top.map((u) => ({ labels: { process: u.name }, value: (u.memoryBytes / total) * 100 })));
    m.topCount.replace(top.map((u) => ({ labels: { process: u.name }, value: u.count })));
    // CPU needs two readings; until then publish no CPU samples rather than zeros.
    m.topCpu.replace(elapsed > 0 ? top.map((u) => ({ labels: { process: u.name }, value: u.cpuPercent })) : []);
  }
}
