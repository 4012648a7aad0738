import { statfsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { startChild, type Child } from './child.js';

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
