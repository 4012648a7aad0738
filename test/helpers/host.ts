import { statfsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { startChild, type Child } from './child.js';
import { sleep } from './wait.js';

async function cpuTimes(): Promise<{ busy: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const idle = v[3]! + v[4]!;
  const total = v.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * cpuBusySamples measures this host's CPU busy percent (all cores, as the agent's cpu_usage_percent:
 * idle and iowait count as not busy) over `n` intervals of `everyMs`, from /proc/stat.
 */
export async function cpuBusySamples(n: number, everyMs = 1000): Promise<number[]> {
  const out: number[] = [];
  let prev = await cpuTimes();
  for (let i = 0; i < n; i++) {
    await sleep(everyMs);
    const cur = await cpuTimes();
    out.push(cur.total > prev.total ? (100 * (cur.busy - prev.busy)) / (cur.total - prev.total) : 0);
    prev = cur;
  }
  return out;
}

/** memoryUsagePercent is (total − available) / total from /proc/meminfo, as the agent reports it. */
export async function memoryUsagePercent(): Promise<number> {
  const text = await readFile('/proc/meminfo', 'utf8');
  const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return (100 * (kb('MemTotal') - kb('MemAvailable'))) / kb('MemTotal');
}

/** diskUsagePercent is the space in use on the filesystem of `path`, in percent of what unprivileged users can have (as `df` and the agent show it). */
export function diskUsagePercent(path = '/'): number {
  const s = statfsSync(path);
  const used = s.blocks - s.bfree;
  return (100 * used) / (used + s.bavail);
}

/** burnCpu starts `n` busy child processes (a real CPU burn); stop them with stopAll. */
export function burnCpu(n: number): Child[] {
  return Array.from({ length: n }, () => startChild(process.execPath, ['-e', 'for (;;) {}']));
}

/** stopAll stops children and waits until every one has exited. */
export async function stopAll(children: Child[]): Promise<void> {
  await Promise.all(children.map((c) => c.stop(2_000)));
}
