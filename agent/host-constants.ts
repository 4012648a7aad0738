import { execFile } from 'node:child_process';

/** HostConstants are kernel constants the procfs collectors need to turn ticks and pages into units. */
export interface HostConstants {
  /** Clock ticks per second in /proc (USER_HZ). */
  ticksPerSecond: number;
  /** Bytes per memory page. */
  pageSize: number;
}

function getconf(name: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    execFile('getconf', [name], { timeout: 2_000 }, (err, stdout) => {
      const n = Number(String(stdout).trim());
      resolve(!err && Number.isInteger(n) && n > 0 ? n : undefined);
    });
  });
}

/**
 * readHostConstants asks `getconf` once at start (Node exposes neither value); Linux's usual values
 * (100 ticks, 4 KiB pages) stand in when getconf is missing.
 */
export async function readHostConstants(): Promise<HostConstants> {
  const [ticks, page] = await Promise.all([getconf('CLK_TCK'), getconf('PAGESIZE')]);
  return { ticksPerSecond: ticks ?? 100, pageSize: page ?? 4096 };
}
