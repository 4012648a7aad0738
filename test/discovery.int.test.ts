import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderPrometheusConfig, type PrometheusConfigDoc } from '../stack/config/prometheus-config.js';
import { startChild, type Child } from './helpers/child.js';
import { freePort } from './helpers/ports.js';
import { startPrometheus, type TestPrometheus } from './helpers/prometheus.js';
import { waitFor } from './helpers/wait.js';

import { CLI } from './helpers/vigil.js';
const TTL_SECONDS = 3;

interface Target {
  labels: Record<string, string>;
  health: string;
  scrapePool: string;
}

async function registeredTargets(prom: TestPrometheus): Promise<Target[]> {
  const r = await fetch(`${prom.url}/api/v1/targets?state=active`);
  const body = (await r.json()) as { data: { activeTargets: Target[] } };
  return body.data.activeTargets.filter((t) => t.scrapePool === 'agent-registered');
}

describe('service discovery: agents register with the dashboard, Prometheus scrapes them through http_sd', () => {
  let dir: string;
  let dashboard: Child;
  let prom: TestPrometheus;
  const agents: Child[] = [];
  const agentPorts: number[] = [];
  let dashboardPort: number;

  const agentNames = ['a', 'b'];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'vigil-sd-'));
    dashboardPort = await freePort();
    dashboard = startChild(process.execPath, [CLI, 'dashboard'], {
      env: {
        ...process.env,
        DATA_DIR: join(dir, 'dashboard'),
        DASHBOARD_PORT: String(dashboardPort),
        DASHBOARD_SD_TTL_SECONDS: String(TTL_SECONDS),
        LOG_LEVEL: 'warn',
      },
    });
    await waitFor('the dashboard', async () => (await fetch(`http://127.0.0.1:${dashboardPort}/-/healthy`)).ok, 30_000);
    for (const name of agentNames) {
      const port = await freePort();
      agentPorts.push(port);
      agents.push(
        startChild(process.execPath, [CLI, 'agent'], {
          env: {
            ...process.env,
            DATA_DIR: join(dir, `agent-${name}`),
            AGENT_PORT: String(port),
            AGENT_INTERVAL_SECONDS: '1',
            AGENT_TOP_PROCESSES: '0',
            VIGIL_REGISTER_URL: `http://127.0.0.1:${dashboardPort}/api/v1/sd/register`,
            VIGIL_ADVERTISE_ADDRESS: `127.0.0.1:${port}`,
            VIGIL_REGISTER_INTERVAL_SECONDS: '1',
            VIGIL_REGISTER_LABELS: `role=web,agent_name=${name}`,
            LOG_LEVEL: 'warn',
          },
        }),
      );
    }
    // The shipped prometheus.yml's agent-registered job, pointed at this dashboard; everything else dropped.
    const source = parse(await readFile(join(process.cwd(), 'prometheus', 'prometheus.yml'), 'utf8')) as PrometheusConfigDoc;
    const rendered = renderPrometheusConfig(source, {
      addresses: new Map([['dashboard:5000', `127.0.0.1:${dashboardPort}`]]),
      sourceDir: dir,
    });
    const job = rendered.scrape_configs?.find((j) => j.job_name === 'agent-registered');
    expect(job?.http_sd_configs?.[0]?.url).toBe(`http://127.0.0.1:${dashboardPort}/api/v1/sd`);
    prom = await startPrometheus({
      config: {
        scrape_configs: [
          { ...job, scrape_interval: '1s', http_sd_configs: job?.http_sd_configs?.map((h) => ({ ...h, refresh_interval: '1s' })) },
        ],
      },
    });
  });

  afterAll(async () => {
    await prom?.stop();
    await Promise.all(agents.map((a) => a.stop()));
    await dashboard?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('scrapes both registered agents', async () => {
    const up = await waitFor(
      'two registered agents up',
      async () => {
        const r = await prom.query('up{job="agent-registered"} == 1');
        return r.length === 2 ? r : undefined;
      },
      60_000,
    );
    expect(up.map((s) => s.metric.instance).sort()).toEqual(agentPorts.map((p) => `127.0.0.1:${p}`).sort());
    // The registration's labels become target labels; identity stays on vigil_agent_info alone.
    expect(up.map((s) => s.metric.role)).toEqual(['web', 'web']);
    expect(up.map((s) => s.metric.agent_name).sort()).toEqual(agentNames.slice().sort());
    expect(up[0]?.metric.server_id).toBeUndefined();
    const info = await waitFor(
      'vigil_agent_info from both',
      async () => {
        const r = await prom.query('vigil_agent_info{job="agent-registered"}');
        return r.length === 2 ? r : undefined;
      },
      30_000,
    );
    for (const s of info) expect(s.metric.server_id).toMatch(/^[0-9a-f]{32}$/);
    const cpu = await waitFor(
      'cpu_usage_percent from both',
      async () => {
        const r = await prom.query('cpu_usage_percent{job="agent-registered"}');
        return r.length === 2 ? r : undefined;
      },
      30_000,
    );
    for (const s of cpu) expect(Number(s.value[1])).toBeGreaterThanOrEqual(0);
  });

  it('drops an agent that stops renewing once its TTL has passed', async () => {
    // SIGKILL: the agent cannot deregister, so only the TTL can remove it.
    agents[1]!.proc.kill('SIGKILL');
    await agents[1]!.exited;
    const gone = `127.0.0.1:${agentPorts[1]}`;
    const kept = `127.0.0.1:${agentPorts[0]}`;
    // Right after the kill it is still registered (its TTL has not passed yet) ...
    const sd = (await (await fetch(`http://127.0.0.1:${dashboardPort}/api/v1/sd`)).json()) as Array<{ targets: string[] }>;
    expect(sd.flatMap((g) => g.targets)).toContain(gone);
    // ... and after the TTL it leaves the dashboard's answer and Prometheus's targets.
    await waitFor(
      'the killed agent to leave http_sd',
      async () => {
        const now = (await (await fetch(`http://127.0.0.1:${dashboardPort}/api/v1/sd`)).json()) as Array<{ targets: string[] }>;
        return !now.flatMap((g) => g.targets).includes(gone);
      },
      30_000,
    );
    const targets = await waitFor(
      'Prometheus to drop the target',
      async () => {
        const t = await registeredTargets(prom);
        return t.length === 1 ? t : undefined;
      },
      30_000,
    );
    expect(targets[0]?.labels.instance).toBe(kept);
    expect(targets[0]?.health).toBe('up');
  });
});
