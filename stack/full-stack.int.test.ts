import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { availableServices } from './app.js';
import { startChild, type Child } from '../test/helpers/child.js';
import { freePort } from '../test/helpers/ports.js';
import { alive, commandLine, descendants } from '../test/helpers/processes.js';
import { waitFor } from '../test/helpers/wait.js';

const CLI = join(process.cwd(), 'dist', 'cli.js');

describe('vigil stack with every service this build has (what npm start runs)', () => {
  let dir: string | undefined;
  let stack: Child | undefined;
  afterAll(async () => {
    await stack?.stop(20_000);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts them all, each answers, and Ctrl-C leaves no process behind', async () => {
    expect(existsSync(CLI), 'build first: npm run build (npm test does)').toBe(true);
    const services = availableServices(CLI);
    expect(services).toEqual(expect.arrayContaining(['agent', 'dashboard']));
    dir = await mkdtemp(join(tmpdir(), 'vigil-full-'));
    const flags: Record<string, number> = {};
    for (const f of [
      'prometheus-port',
      'alertmanager-port',
      'agent-port',
      'analytics-port',
      'alerts-port',
      'dashboard-port',
      'mail-catcher-port',
    ])
      flags[f] = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
    delete env.SMTP_HOST; // the alerts service runs its mail catcher, as for a new user
    stack = startChild(
      process.execPath,
      [CLI, 'stack', '--data-dir', join(dir, 'data'), ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, String(v)])],
      { env },
    );
    const s = stack;
    await waitFor(
      'the stack to print its URLs',
      () => {
        if (s.proc.exitCode !== null) throw new Error(`vigil stack exited: ${s.output()}`);
        return s.output().includes('Vigil stack is ready');
      },
      90_000,
    );
    for (const svc of services) {
      const r = await fetch(`http://127.0.0.1:${flags[`${svc}-port`]}/-/healthy`);
      expect(r.status, svc).toBe(200);
    }
    const children = descendants(s.proc.pid!);
    const names = children.map(commandLine).join('\n');
    for (const svc of services) expect(names).toContain(`cli.js ${svc}`);
    s.proc.kill('SIGINT');
    const exit = await s.exited;
    expect(exit.code).toBe(0);
    await waitFor('every child to be gone', () => children.every((p) => !alive(p)), 10_000);
    expect(children.filter(alive)).toEqual([]);
  });
});
