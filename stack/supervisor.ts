import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { backoffDelay } from '../common/backoff.js';

/** ChildSpec describes one program the supervisor runs. */
export interface ChildSpec {
  /** Short name, used as the log prefix. */
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Options for Supervisor. */
export interface SupervisorOptions {
  /** Where prefixed log lines go; default process.stdout. */
  out?: Writable;
  /** First restart delay in ms (default 1 s); doubles per quick crash up to maxBackoffMs. */
  minBackoffMs?: number;
  /** Largest restart delay in ms (default 30 s). */
  maxBackoffMs?: number;
  /** A child that ran at least this long before crashing restarts after minBackoffMs again (default 30 s). */
  stableAfterMs?: number;
  /** How long stop() waits after SIGTERM before SIGKILL, in ms (default 10 s). */
  graceMs?: number;
  /** Colour the prefixes (default: when `out` is a TTY). */
  color?: boolean;
}

interface Managed {
  spec: ChildSpec;
  proc?: ChildProcess;
  exited?: Promise<void>;
  startedAt: number;
  /** Crashes since the child last ran stableAfterMs: the backoff's retry number. */
  quickCrashes: number;
  restarts: number;
  timer?: NodeJS.Timeout;
}

/**
 * restartDelayMs is the wait before restarting a child after `quickCrashes` earlier quick crashes in a row:
 * minBackoffMs doubling up to maxBackoffMs, without jitter (one machine, a handful of children: nothing to spread).
 */
export function restartDelayMs(quickCrashes: number, o: Pick<SupervisorOptions, 'minBackoffMs' | 'maxBackoffMs'>): number {
  return backoffDelay(quickCrashes, { base: o.minBackoffMs ?? 1000, max: o.maxBackoffMs ?? 30_000 });
}

const COLORS = [36, 33, 35, 32, 34, 31, 96, 93];

/**
 * Supervisor runs child processes for the local stack: it prefixes every line they print with their
 * name, restarts one that exits unexpectedly after a backoff that doubles on each quick crash, and on
 * stop() terminates each child's whole process group (SIGTERM, then SIGKILL after a grace period) so
 * that nothing is left behind, grandchildren included.
 */
export class Supervisor {
  private readonly children = new Map<string, Managed>();
  private readonly out: Writable;
  private readonly width: number;
  private stopping = false;

  constructor(
    specs: ChildSpec[],
    private readonly opts: SupervisorOptions = {},
  ) {
    this.out = opts.out ?? process.stdout;
    this.width = Math.max(...specs.map((s) => s.name.length), 5);
    for (const spec of specs) this.children.set(spec.name, { spec, startedAt: 0, quickCrashes: 0, restarts: 0 });
  }

  /** start launches the named children, or every child not started yet (in the order given). */
  start(names?: string[]): void {
    if (this.stopping) return;
    for (const m of this.children.values()) {
      if (m.proc || (names && !names.includes(m.spec.name))) continue;
      this.launch(m);
    }
  }

  /** log writes one line with the given name's prefix (the supervisor's own messages use "stack"). */
  log(name: string, line: string): void {
    const i = [...this.children.keys()].indexOf(name);
    const label = name.padEnd(this.width);
    const useColor = this.opts.color ?? Boolean((this.out as { isTTY?: boolean }).isTTY);
    const prefix = useColor ? `\x1b[${COLORS[(i < 0 ? COLORS.length - 1 : i) % COLORS.length]}m${label} |\x1b[0m` : `${label} |`;
    this.out.write(`${prefix} ${line}\n`);
  }

  /** pids lists the process ids of the running children. */
  pids(): number[] {
    return [...this.children.values()].map((m) => m.proc?.pid).filter((p): p is number => p !== undefined && this.isRunning(p));
  }

  /** restarts says how often each child has been restarted. */
  restarts(): Record<string, number> {
    return Object.fromEntries([...this.children].map(([n, m]) => [n, m.restarts]));
  }

  /**
   * stop ends the children, group by group in the given order (names not listed go last, all at once):
   * SIGTERM to the process group, SIGKILL after the grace period. Resolves when every child has exited.
   */
  async stop(order: string[][] = []): Promise<void> {
    this.stopping = true;
    for (const m of this.children.values()) clearTimeout(m.timer);
    const listed = new Set(order.flat());
    const groups = [...order, [...this.children.keys()].filter((n) => !listed.has(n))];
    for (const group of groups) {
      await Promise.all(
        group
          .map((n) => this.children.get(n))
          .filter((m): m is Managed => !!m)
          .map((m) => this.terminate(m)),
      );
    }
  }

  /** killAllSync sends SIGKILL to every child's process group at once; for `process.on('exit')`. */
  killAllSync(): void {
    for (const m of this.children.values()) {
      if (m.proc?.pid) this.signal(m.proc.pid, 'SIGKILL');
    }
  }

  private isRunning(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  private signal(pid: number, sig: NodeJS.Signals): void {
    try {
      process.kill(-pid, sig); // the whole group: the child is its leader (detached)
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  }

  private async terminate(m: Managed): Promise<void> {
    const proc = m.proc;
    if (!proc?.pid || !m.exited) return;
    const pid = proc.pid;
    if (proc.exitCode === null && proc.signalCode === null) this.signal(pid, 'SIGTERM');
    const kill = setTimeout(() => this.signal(pid, 'SIGKILL'), this.opts.graceMs ?? 10_000);
    await m.exited;
    clearTimeout(kill);
    // The leader is gone; make sure no grandchild in its group outlives it.
    this.signal(pid, 'SIGKILL');
  }

  private launch(m: Managed): void {
    const { spec } = m;
    m.startedAt = Date.now();
    const proc = spawn(spec.command, spec.args, { env: spec.env, cwd: spec.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    m.proc = proc;
    for (const stream of [proc.stdout, proc.stderr]) {
      if (stream) createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.log(spec.name, line));
    }
    m.exited = new Promise<void>((resolve) => {
      let done = false;
      const finish = (how: string) => {
        if (done) return;
        done = true;
        resolve();
        if (this.stopping) return;
        const ranMs = Date.now() - m.startedAt;
        if (ranMs >= (this.opts.stableAfterMs ?? 30_000)) m.quickCrashes = 0;
        const delay = restartDelayMs(m.quickCrashes++, this.opts);
        this.log('stack', `${spec.name} ${how}; restarting it in ${+(delay / 1000).toFixed(2)} s`);
        m.timer = setTimeout(() => {
          if (this.stopping) return;
          m.restarts++;
          this.launch(m);
        }, delay);
      };
      proc.once('exit', (code, signal) => finish(signal ? `was killed by ${signal}` : `exited with code ${code}`));
      proc.once('error', (err) => finish(`could not start (${err.message})`));
    });
  }
}
