import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild, type Child } from './child.js';
import { freePort } from './ports.js';
import { CLI } from './vigil.js';
import { waitFor } from './wait.js';

/** TestStack is `vigil stack` running on free loopback ports in a temporary data directory. */
export interface TestStack {
  dir: string;
  ports: Record<string, number>;
  /** Dashboard, Prometheus, analytics and alerts base URLs. */
  dashboard: string;
  prometheus: string;
  analytics: string;
  alerts: string;
  child: Child;
  /** The alert emails the alerts service's mail catcher saved so far (raw .eml text), oldest first. */
  emails(): string[];
  stop(): Promise<void>;
}

function emlFiles(dir: string): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...emlFiles(p));
    else if (e.endsWith('.eml')) out.push(p);
  }
  return out;
}

/**
 * startStack runs the built `vigil stack` (what `npm start` runs) with every service, on free ports,
 * with the alerts service's mail catcher (no SMTP_HOST), and waits until it prints that it is ready.
 */
export async function startStack(env: Record<string, string> = {}, args: string[] = []): Promise<TestStack> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-e2e-'));
  const ports: Record<string, number> = {};
  for (const f of ['prometheus', 'alertmanager', 'agent', 'analytics', 'alerts', 'dashboard', 'mail-catcher']) ports[f] = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ALERTS_GROUP_WAIT_SECONDS: '2', ...env };
  delete childEnv.SMTP_HOST;
  if (!env.DASHBOARD_TOKEN) delete childEnv.DASHBOARD_TOKEN;
  const child = startChild(
    process.execPath,
    [CLI, 'stack', '--data-dir', join(dir, 'data'), ...Object.entries(ports).flatMap(([k, v]) => [`--${k}-port`, String(v)]), ...args],
    { env: childEnv },
  );
  try {
    await waitFor(
      'vigil stack to be ready',
      () => {
        if (child.proc.exitCode !== null) throw new Error(`vigil stack exited: ${child.output()}`);
        return child.output().includes('Vigil stack is ready');
      },
      90_000,
      250,
    );
  } catch (err) {
    await child.stop(20_000);
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const url = (name: string) => `http://127.0.0.1:${ports[name]}`;
  return {
    dir,
    ports,
    dashboard: url('dashboard'),
    prometheus: url('prometheus'),
    analytics: url('analytics'),
    alerts: url('alerts'),
    child,
    emails: () =>
      emlFiles(join(dir, 'data'))
        .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs)
        .map((p) => readFileSync(p, 'utf8')),
    async stop() {
      child.proc.kill('SIGINT');
      await child.stop(20_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
