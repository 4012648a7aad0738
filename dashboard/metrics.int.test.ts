import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { boundPort, closeServer, listen } from '../common/http/server.js';
import { createLogger } from '../common/logger.js';
import { requireBinary } from '../test/helpers/binaries.js';
import { createApp } from './app.js';
import { loadConfig } from './config.js';

/** promtoolCheck pipes a metrics exposition into `promtool check metrics` and returns what it says. */
function promtoolCheck(text: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = execFile(requireBinary('promtool', 'PROMTOOL_BIN'), ['check', 'metrics'], (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr });
    });
    child.stdin?.end(text);
  });
}

describe('dashboard /metrics', () => {
  it('passes promtool check metrics with no warning, registrations included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-dash-metrics-'));
    const dashboard = await createApp(loadConfig({ DATA_DIR: dir }), {
      logger: createLogger('dashboard', 'silent'),
      registry: new Registry(),
    });
    const server = await listen(dashboard.app, 0, '127.0.0.1', 'DASHBOARD_PORT');
    await dashboard.start(server);
    const base = `http://127.0.0.1:${boundPort(server)}`;
    try {
      const post = (body: unknown) =>
        fetch(`${base}/api/v1/sd/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await post({ address: 'h:9101' })).status).toBe(201);
      expect((await post({ address: 'bad' })).status).toBe(400);
      const text = await (await fetch(`${base}/metrics`)).text();
      expect(text).toContain('vigil_dashboard_sd_registrations 1');
      const r = await promtoolCheck(text);
      expect(r.out.trim()).toBe('');
      expect(r.code).toBe(0);
      // the check can fail: a counter without _total is reported
      const bad = await promtoolCheck('# HELP x_count bad\n# TYPE x_count counter\nx_count 1\n');
      expect(bad.out).toMatch(/counter metrics should have "_total" suffix/);
    } finally {
      await closeServer(server);
      await dashboard.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
