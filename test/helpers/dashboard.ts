import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { boundPort, closeServer, listen } from '../../common/http/server.js';
import { createLogger } from '../../common/logger.js';
import { createApp, type Dashboard } from '../../dashboard/app.js';
import { loadConfig } from '../../dashboard/config.js';
import type { BackfillSeries } from './prometheus.js';

/** TestDashboard is a dashboard service listening on a free loopback port, Socket.IO attached. */
export interface TestDashboard {
  url: string;
  dashboard: Dashboard;
  registry: Registry;
  /** The fake bundle directory it serves (index.html + assets/app.js). */
  webDir: string;
  stop(): Promise<void>;
}

/**
 * startDashboard builds the dashboard with `env` (DATA_DIR and a bundle directory are temporary),
 * listens on port 0 and attaches Socket.IO. Pass `webDir: null` to serve no bundle at all.
 */
export async function startDashboard(env: Record<string, string> = {}, opts: { webDir?: string | null } = {}): Promise<TestDashboard> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-dash-'));
  let webDir = opts.webDir ?? join(dir, 'web');
  if (opts.webDir === undefined) {
    await mkdir(join(webDir, 'assets'), { recursive: true });
    await writeFile(
      join(webDir, 'index.html'),
      '<!doctype html><title>Vigil</title><script type="module" src="/assets/app.js"></script>\n',
    );
    await writeFile(join(webDir, 'assets', 'app.js'), 'console.log("vigil");\n');
  } else if (opts.webDir === null) {
    webDir = join(dir, 'no-bundle');
  }
  const registry = new Registry();
  const dashboard = await createApp(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', ...env }), {
    logger: createLogger('dashboard', env.LOG_LEVEL ?? 'silent'),
    registry,
    webDir,
  });
  const server: Server = await listen(dashboard.app, 0, '127.0.0.1', 'DASHBOARD_PORT');
  await dashboard.start(server);
  return {
    url: `http://127.0.0.1:${boundPort(server)}`,
    dashboard,
    registry,
    webDir,
    async stop() {
      await dashboard.close();
      await closeServer(server, 1000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * hostHistory is deterministic agent history for one host, as the agent names its metrics: CPU (total and
 * two cores), memory, two mounts, network counters, load, top processes, `vigil_agent_info`, and an
 * analytics forecast of the root mount; one sample every `stepSeconds` from `from` to `to` (unix seconds).
 */
export function hostHistory(instance: string, from: number, to: number, stepSeconds = 15): BackfillSeries[] {
  const ts: number[] = [];
  for (let t = Math.ceil(from / stepSeconds) * stepSeconds; t <= to; t += stepSeconds) ts.push(t);
  const base = { instance, job: 'agent' };
  const gauge = (name: string, labels: Record<string, string>, f: (t: number, i: number) => number): BackfillSeries => ({
    name,
    labels: { ...base, ...labels },
    samples: ts.map((t, i) => [t, Math.round(f(t, i) * 1000) / 1000]),
  });
  const counter = (name: string, labels: Record<string, string>, perSecond: number): BackfillSeries => ({
    name,
    type: 'counter',
    labels: { ...base, ...labels },
    samples: ts.map((t) => [t, Math.round((t - ts[0]!) * perSecond)]),
  });
  const forecast = { metric_name: 'disk_usage_percent', mountpoint: '/', rule: 'disk-fill' };
  return [
    gauge('cpu_usage_percent', {}, (t) => 30 + 20 * Math.sin(t / 600)),
    gauge('cpu_core_usage_percent', { cpu: '0' }, (t) => 35 + 20 * Math.sin(t / 600)),
    gauge('cpu_core_usage_percent', { cpu: '1' }, (t) => 25 + 20 * Math.sin(t / 600)),
    gauge('memory_usage_percent', {}, () => 61.5),
    gauge('disk_usage_percent', { mountpoint: '/', device: 'sda1', fstype: 'ext4' }, (_t, i) => 40 + i * 0.01),
    gauge('disk_usage_percent', { mountpoint: '/data', device: 'sdb1', fstype: 'ext4' }, () => 72.25),
    counter('network_bytes_recv_total', { interface: 'eth0' }, 125_000),
    counter('network_bytes_sent_total', { interface: 'eth0' }, 50_000),
    gauge('load_average_1m', {}, () => 0.5),
    gauge('load_average_5m', {}, () => 0.4),
    gauge('load_average_15m', {}, () => 0.3),
    gauge('top_process_cpu_percent', { process: 'node' }, () => 12),
    gauge('top_process_cpu_percent', { process: 'postgres' }, () => 4),
    gauge('top_process_memory_bytes', { process: 'postgres' }, () => 512e6),
    gauge('top_process_memory_bytes', { process: 'node' }, () => 128e6),
    gauge('vigil_agent_info', { server_id: 'srv-a', hostname: 'host-a', os: 'linux', version: '0.1.0' }, () => 1),
    gauge('vigil_analytics_forecast_value', forecast, () => 55),
    gauge('vigil_analytics_forecast_lower', forecast, () => 50),
    gauge('vigil_analytics_forecast_upper', forecast, () => 60),
  ];
}
