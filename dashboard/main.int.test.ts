import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../test/helpers/ports.js';
import { startVigil, waitReady } from '../test/helpers/vigil.js';
import { waitFor } from '../test/helpers/wait.js';

async function run(env: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-dash-main-'));
  const port = await freePort();
  const child = startVigil(['dashboard'], {
    DATA_DIR: dir,
    DASHBOARD_PORT: String(port),
    DASHBOARD_HOST: '127.0.0.1',
    PROMETHEUS_URL: 'http://127.0.0.1:1',
    LOG_LEVEL: 'info',
    ...env,
  });
  try {
    await waitReady(child, `http://127.0.0.1:${port}`);
    await waitFor('the start-up lines', () => child.output().includes('dashboard listening'));
    return child.output();
  } finally {
    await child.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('vigil dashboard start-up', () => {
  it('warns that the dashboard is open when DASHBOARD_TOKEN is unset, and never logs the token', async () => {
    const open = await run({});
    expect(open).toMatch(
      /DASHBOARD_TOKEN is not set: the dashboard, its API and its proxies .* are open to anyone who can reach this port/,
    );
    const guarded = await run({ DASHBOARD_TOKEN: 'very-secret-token-value' });
    expect(guarded).not.toContain('DASHBOARD_TOKEN is not set');
    expect(guarded).not.toContain('very-secret-token-value');
  });

  it('names the variable of a bad setting', async () => {
    const child = startVigil(['dashboard'], { DASHBOARD_REFRESH_SECONDS: 'often' });
    const { code } = await child.exited;
    expect(code).toBe(1);
    expect(child.output()).toContain(
      'vigil dashboard: DASHBOARD_REFRESH_SECONDS: expected a number of seconds between 0.2 and 3600, got "often"',
    );
  });
});
