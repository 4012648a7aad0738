import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, type Child } from './child.js';
import { waitFor } from './wait.js';

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

/** memoryTotalBytes is MemTotal from /proc/meminfo, in bytes. */
export async function memoryTotalBytes(): Promise<number> {
  const text = await readFile('/proc/meminfo', 'utf8');
  return 1024 * Number(/^MemTotal:\s+(\d+)/m.exec(text)?.[1] ?? NaN);
}

/**
 * holdMemory starts a child process that allocates `bytes` of real memory (Buffers filled with data, so
 * every page is resident) and holds it until stopped; it resolves once the memory is held.
 */
export async function holdMemory(bytes: number): Promise<Child> {
  const script = `const n = Number(process.env.HOLD_BYTES), chunk = 2 ** 28, held = [];
for (let i = 0; i < n; i += chunk) held.push(Buffer.alloc(Math.min(chunk, n - i), 0x5a));
console.log('held', held.length); setInterval(() => held.length, 60_000);`;
  const child = startChild(process.execPath, ['-e', script], { env: { ...process.env, HOLD_BYTES: String(Math.round(bytes)) } });
  try {
    await waitFor(
      `a child to hold ${Math.round(bytes / 2 ** 20)} MiB`,
      () => {
        if (child.proc.exitCode !== null || child.proc.signalCode !== null) throw new Error(`memory holder exited: ${child.output()}`);
        return child.output().includes('held');
      },
      120_000,
      200,
    );
  } catch (err) {
    await child.stop(2_000);
    throw err;
  }
  return child;
}

/** A small real filesystem (ext4 on a loop device) mounted in a temp dir; needs root. */
export interface LoopFs {
  /** Where it is mounted. */
  dir: string;
  /** fillTo writes (and syncs) one file so that the filesystem is `percent` full, as df counts it. */
  fillTo(percent: number): void;
  /** empty deletes that file. */
  empty(): void;
  /** cleanup unmounts the filesystem and removes the image; safe to call twice. */
  cleanup(): Promise<void>;
}

/** mountLoopFs creates an ext4 image of `sizeMb` MiB (no reserved blocks) and loop-mounts it. */
export async function mountLoopFs(sizeMb = 64): Promise<LoopFs> {
  const base = await mkdtemp(join(tmpdir(), 'vigil-e2e-fs-'));
  const img = join(base, 'fs.img');
  const dir = join(base, 'mnt');
  const file = join(dir, 'fill');
  mkdirSync(dir);
  let mounted = false;
  const cleanup = async () => {
    if (mounted) {
      execFileSync('umount', [dir]);
      mounted = false;
    }
    await rm(base, { recursive: true, force: true });
  };
  try {
    execFileSync('truncate', ['-s', `${sizeMb}M`, img]);
    execFileSync('mkfs.ext4', ['-q', '-m', '0', img]);
    execFileSync('mount', ['-o', 'loop', img, dir]);
    mounted = true;
  } catch (err) {
    await cleanup();
    throw err;
  }
  return {
    dir,
    fillTo(percent) {
      const s = statfsSync(dir);
      const used = s.blocks - s.bfree;
      const blocks = Math.ceil((percent / 100) * (used + s.bavail) - used);
      const fd = openSync(file, 'w');
      try {
        const chunk = Buffer.alloc(Math.min(blocks, 256) * s.bsize, 0x5a);
        for (let left = blocks * s.bsize; left > 0; left -= chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, left));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
    empty() {
      rmSync(file, { force: true });
      execFileSync('sync', ['-f', dir]);
    },
    cleanup,
  };
}

/** burnCpu starts `n` busy child processes (a real CPU burn); stop them with stopAll. */
export function burnCpu(n: number): Child[] {
  return Array.from({ length: n }, () => startChild(process.execPath, ['-e', 'for (;;) {}']));
}

/** stopAll stops children and waits until every one has exited. */
export async function stopAll(children: Child[]): Promise<void> {
  await Promise.all(children.map((c) => c.stop(2_000)));
}
