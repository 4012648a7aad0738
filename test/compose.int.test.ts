import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from './helpers/binaries.js';
import { startPrometheus, type TestPrometheus } from './helpers/prometheus.js';

const run = promisify(execFile);
const root = process.cwd();

describe('docker-compose.yml', () => {
  it('is valid for docker-compose (validated, not run: no Docker engine here)', async () => {
    const bin = requireBinary('docker-compose');
    const r = await run(bin, ['-f', join(root, 'docker-compose.yml'), 'config'], { cwd: root, env: { ...process.env, SMTP_HOST: '' } });
    const cfg = parse(r.stdout) as { services: Record<string, { command?: string[]; image?: string; volumes?: unknown[] }> };
    expect(Object.keys(cfg.services).sort()).toEqual(['agent', 'alertmanager', 'alertmanager-config', 'alerts', 'analytics', 'dashboard', 'grafana', 'mailpit', 'prometheus']);
    for (const svc of ['agent', 'analytics', 'alerts', 'dashboard']) {
      expect(cfg.services[svc]?.command).toEqual([svc]);
      expect(cfg.services[svc]?.image).toBe('vigil:local');
    }
    expect(cfg.services.mailpit?.image).toMatch(/^axllent\/mailpit/);
  });
});

describe('grafana dashboards', () => {
  let prom: TestPrometheus;
  beforeAll(async () => {
    prom = await startPrometheus();
  });
  afterAll(async () => {
    await prom?.stop();
  });

  it('use the provisioned datasource and only PromQL that Prometheus accepts', async () => {
    const ds = parse(await readFile(join(root, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as { datasources: Array<{ uid: string; url: string }> };
    expect(ds.datasources[0]?.url).toBe('http://prometheus:9090');
    const dash = JSON.parse(await readFile(join(root, 'grafana/dashboards/vigil-hosts.json'), 'utf8')) as {
      panels: Array<{ title: string; datasource: { uid: string }; targets: Array<{ expr: string }> }>;
    };
    expect(dash.panels.length).toBeGreaterThan(5);
    let checked = 0;
    for (const p of dash.panels) {
      expect(p.datasource.uid, p.title).toBe(ds.datasources[0]?.uid);
      for (const t of p.targets) {
        const expr = t.expr.replaceAll('$instance', '.*').replaceAll('$__rate_interval', '1m');
        await expect(prom.query(expr), `${p.title}: ${t.expr}`).resolves.toBeDefined();
        checked++;
      }
    }
    // a broken expression is caught (the check can fail)
    await expect(prom.query('rate(cpu_usage_percent[')).rejects.toThrow(/failed/);
    expect(checked).toBeGreaterThan(10);
  });
});
