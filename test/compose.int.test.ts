import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from './helpers/binaries.js';
import { CLI } from './helpers/vigil.js';

/*
 * docker-compose.yml is validated, not run (no Docker engine on the development machines): Debian's
 * docker-compose 1.29 resolves it, and these tests check what a reader would check by eye.
 */
const run = promisify(execFile);
const root = process.cwd();

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: Array<string | { type: string; source: string; target: string; read_only?: boolean }>;
  ports?: Array<string | { published: number | string; target: number }>;
  expose?: string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  depends_on?: Record<string, { condition: string }> | string[];
  container_name?: string;
  pid?: string;
  profiles?: string[];
  restart?: string;
}
type Compose = { services: Record<string, Service>; version?: string };

// ARCHITECTURE.md's port table (dashboard 5000, agent 9101, analytics 9102, alerts 9103,
// Prometheus/Alertmanager/Grafana 9090/9093/3000), Mailpit's web UI (8025) and, with the longterm
// profile, VictoriaMetrics (8428). The agent's 9101 is exposed, not published: it scales.
const PUBLISHED: Record<string, number> = {
  dashboard: 5000,
  analytics: 9102,
  alerts: 9103,
  prometheus: 9090,
  alertmanager: 9093,
  grafana: 3000,
  mailpit: 8025,
};

async function resolved(...args: string[]): Promise<Compose> {
  const bin = requireBinary('docker-compose');
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['SMTP_HOST', 'PROMETHEUS_URL', 'ALERTMANAGER_URL', 'COMPOSE_PROFILES', 'PROMETHEUS_CONFIG_FILE']) delete env[k];
  const r = await run(bin, ['-f', join(root, 'docker-compose.yml'), ...args, 'config'], { cwd: root, env });
  return parse(r.stdout) as Compose;
}

const published = (s: Service) => (s.ports ?? []).map((p) => (typeof p === 'string' ? Number(p.split(':')[0]) : Number(p.published)));
const vigilServices = (c: Compose) => Object.entries(c.services).filter(([, s]) => s.image === 'vigil:local');

describe('docker-compose.yml', () => {
  let cfg: Compose;
  let longterm: Compose;
  const raw = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
  beforeAll(async () => {
    [cfg, longterm] = await Promise.all([resolved(), resolved('--profile', 'longterm')]);
    // docker-compose 1.29's `config` lists services of every profile; what `up` starts by default is the rest.
    cfg = { ...cfg, services: Object.fromEntries(Object.entries(cfg.services).filter(([, s]) => !s.profiles?.length)) };
  });

  it('is valid for docker-compose, with and without the longterm profile, and has no obsolete version key', () => {
    expect(Object.keys(cfg.services).sort()).toEqual([
      'agent',
      'alertmanager',
      'alertmanager-config',
      'alerts',
      'analytics',
      'dashboard',
      'grafana',
      'mailpit',
      'prometheus',
    ]);
    expect(Object.keys(longterm.services).sort()).toEqual([...Object.keys(cfg.services), 'victoriametrics'].sort());
    expect((parse(raw) as Compose).version).toBeUndefined();
    expect(cfg.services.mailpit?.image).toMatch(/^axllent\/mailpit/);
  });

  it('gives every service a healthcheck, and starts a service only once what it needs is healthy', () => {
    for (const [name, s] of Object.entries(longterm.services)) {
      if (name === 'alertmanager-config') {
        // A one-shot job: Alertmanager waits for it to complete instead.
        expect(s.restart).toBe('no');
        expect(s.healthcheck?.disable === true || s.healthcheck?.test?.[0] === 'NONE').toBe(true);
        continue;
      }
      expect(s.healthcheck?.test?.length, `${name} has no healthcheck`).toBeGreaterThan(1);
      expect(s.healthcheck?.test?.[0], name).not.toBe('NONE');
      const deps = s.depends_on ?? {};
      expect(Array.isArray(deps), `${name}: depends_on without a condition only waits for the start`).toBe(false);
      for (const [dep, { condition }] of Object.entries(deps as Record<string, { condition: string }>)) {
        if (dep === 'alertmanager-config') expect(condition).toBe('service_completed_successfully');
        else {
          expect(condition, `${name} → ${dep}`).toBe('service_healthy');
          expect(longterm.services[dep]?.healthcheck?.test, `${dep} must have a healthcheck for ${name} to wait on`).toBeDefined();
        }
      }
    }
    const needs = (svc: string) => Object.keys((cfg.services[svc]?.depends_on ?? {}) as Record<string, unknown>).sort();
    expect(needs('analytics')).toEqual(['alerts', 'prometheus']);
    expect(needs('alerts')).toEqual(['alertmanager', 'mailpit']);
    expect(needs('dashboard')).toEqual(['prometheus']);
    expect(needs('grafana')).toEqual(['prometheus']);
    expect(needs('alertmanager')).toEqual(['alertmanager-config']);
    // The Vigil services use the image's own check, which the build produces.
    for (const [name, s] of vigilServices(cfg))
      if (name !== 'alertmanager-config') expect(s.healthcheck?.test?.join(' '), name).toContain('/app/dist/common/healthcheck.js');
    expect(existsSync(join(root, 'common/healthcheck.ts'))).toBe(true);
  });

  it('runs an agent that reports the host and scales: read-only /proc and root filesystem, no fixed name or host port', () => {
    const agent = cfg.services.agent!;
    expect(agent.container_name).toBeUndefined();
    expect(agent.ports ?? []).toEqual([]);
    expect(agent.expose).toEqual(['9101']);
    const vols = (agent.volumes ?? []).map(String);
    const procfs = agent.environment!.AGENT_PROCFS_PATH!;
    const rootfs = agent.environment!.AGENT_ROOTFS_PATH!;
    expect(vols).toContain(`/proc:${procfs}:ro`);
    expect(vols).toContain(`/:${rootfs}:ro`);
    // pid: host makes PID 1 the host's init, so the healthcheck cannot find the service from it.
    expect(agent.pid).toBe('host');
    expect(agent.environment!.VIGIL_HEALTH_URL).toBe('http://127.0.0.1:9101/-/healthy');
    // Prometheus finds every replica through Docker's DNS on the service name.
    const prom = parse(readFileSync(join(root, 'prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: Array<{ job_name: string; dns_sd_configs?: Array<{ names: string[]; port: number }> }>;
    };
    expect(prom.scrape_configs.find((j) => j.job_name === 'agent')?.dns_sd_configs?.[0]).toMatchObject({ names: ['agent'], port: 9101 });
  });

  it('runs only real vigil subcommands and flags', async () => {
    const help = (await run(process.execPath, [CLI, '--help'])).stdout;
    const commands = new Set([...help.split('Commands:')[1]!.matchAll(/^ {2}([a-z]+)/gm)].map((m) => m[1]!));
    expect(commands.has('agent')).toBe(true);
    for (const [name, s] of vigilServices(cfg)) {
      const [cmd, ...flags] = s.command ?? [];
      expect(commands.has(cmd!), `${name}: "${cmd}" is not a vigil command`).toBe(true);
      const sub = (await run(process.execPath, [CLI, cmd!, '--help'])).stdout;
      for (const f of flags.filter((x) => x.startsWith('--'))) expect(sub, `${name}: vigil ${cmd} has no ${f}`).toContain(f);
    }
    expect(commands.has('agnet')).toBe(false);
  });

  it('mounts only paths that exist in the repository', () => {
    let checked = 0;
    for (const [name, s] of Object.entries(longterm.services)) {
      for (const v of s.volumes ?? []) {
        const source = typeof v === 'string' ? v.split(':')[0]! : v.source;
        if (!source.startsWith(root)) continue; // named volumes and host paths (/proc, /)
        expect(existsSync(source), `${name} mounts ${source}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3);
    // Prometheus's --config.file names a file inside the mounted folder, for both configurations.
    for (const file of ['prometheus.yml', 'prometheus-longterm.yml']) expect(existsSync(join(root, 'prometheus', file)), file).toBe(true);
    expect(raw).toContain('/etc/prometheus/vigil/${PROMETHEUS_CONFIG_FILE:-prometheus.yml}');
  });

  it('reads only variables that .env.example documents', () => {
    const documented = new Set(
      [...readFileSync(join(root, '.env.example'), 'utf8').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!),
    );
    const interpolated = [...raw.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]!);
    expect(interpolated.length).toBeGreaterThan(10);
    const missing = interpolated.filter((v) => !documented.has(v));
    for (const [name, s] of vigilServices(cfg))
      for (const k of Object.keys(s.environment ?? {})) if (!documented.has(k)) missing.push(`${name}: ${k}`);
    expect([...new Set(missing)]).toEqual([]);
    expect(documented.has('NOT_A_VIGIL_VARIABLE')).toBe(false);
  });

  it('publishes the ports ARCHITECTURE.md gives, on the same container ports', () => {
    const got: Record<string, number> = {};
    for (const [name, s] of Object.entries(cfg.services)) {
      const ports = published(s);
      expect(ports.length, name).toBeLessThanOrEqual(1);
      if (ports[0]) got[name] = ports[0];
      for (const p of s.ports ?? []) if (typeof p !== 'string') expect(p.target, name).toBe(Number(p.published));
    }
    expect(got).toEqual(PUBLISHED);
    expect(published(longterm.services.victoriametrics!)).toEqual([8428]);
  });

  it('longterm: Prometheus remote-writes to the VictoriaMetrics service, with otherwise the same configuration', () => {
    const base = parse(readFileSync(join(root, 'prometheus/prometheus.yml'), 'utf8')) as Record<string, unknown>;
    const lt = parse(readFileSync(join(root, 'prometheus/prometheus-longterm.yml'), 'utf8')) as Record<string, unknown> & {
      remote_write: Array<{ url: string }>;
    };
    const { remote_write: rw, ...rest } = lt;
    expect(rest).toEqual(base);
    const url = new URL(rw[0]!.url);
    expect(url.hostname).toBe('victoriametrics');
    expect(published(longterm.services.victoriametrics!)).toContain(Number(url.port));
    expect(url.pathname).toBe('/api/v1/write');
    expect(longterm.services.victoriametrics?.profiles).toEqual(['longterm']);
  });
});
