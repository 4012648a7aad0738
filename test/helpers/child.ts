import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { waitFor } from './wait.js';

/** Child is a process a test started, with its output captured and a stop() that always reaps it. */
export interface Child {
  proc: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** startChild spawns a program and captures its output (kept to the last 1 MB). */
export function startChild(cmd: string, args: string[], opts: SpawnOptions = {}): Child {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  let out = '';
  const take = (b: Buffer) => {
    out += b.toString();
    if (out.length > 1_000_000) out = out.slice(-1_000_000);
  };
  proc.stdout?.on('data', take);
  proc.stderr?.on('data', take);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once('exit', (code, signal) => resolve({ code, signal }));
    proc.once('error', (err) => {
      out += `\nspawn error: ${err.message}`;
      resolve({ code: -1, signal: null });
    });
  });
  return {
    proc,
    output: () => out,
    exited,
    async stop(graceMs = 10_000) {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), graceMs);
        const r = await exited;
        clearTimeout(t);
        return r;
      }
      return exited;
    },
  };
}

/**
 * waitReady polls `<url>/-/ready` (Prometheus, Alertmanager and every Vigil service have it) until it
 * answers 200, failing early with the child's output if the child exits.
 */
export async function waitReady(child: Child, url: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `${url}/-/ready`,
    async () => {
      if (child.proc.exitCode !== null) throw new Error(`process exited with ${child.proc.exitCode}: ${child.output()}`);
      return (await fetch(`${url}/-/ready`)).status === 200;
    },
    timeoutMs,
  );
}
