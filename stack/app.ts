import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { ConfigError } from '../common/errors.js';
import { findBinary } from './binaries.js';
import { binaryEnv, serviceEnv } from './child-env.js';
import { VIGIL_SERVICES, reachableHost, stackPaths, type StackConfig, type VigilService } from './config.js';
import { generateLocalConfig } from './generate.js';
import { assertPortsFree } from './ports.js';
import { Supervisor, type ChildSpec } from './supervisor.js';

/** Dependencies of the stack. */
export interface StackDeps {
  /** The built `vigil` CLI (dist/cli.js) the Vigil services run from. */
  cliPath: string;
  /** Environment the children inherit (the stack adds what they need). */
  env: NodeJS.ProcessEnv;
  /** Where the children's prefixed output and the stack's own lines go. */
  out?: Writable;
  /** How long to wait for everything to answer before reporting what is not up, in ms (default 90 s). */
  readyTimeoutMs?: number;
}

/** Stack is a running local stack. */
export interface Stack {
  /** What runs, and where: name → base URL. */
  urls: Record<string, string>;
  supervisor: Supervisor;
  /** Resolves once every child answers, or the timeout passed, with the names not ready (empty when all are). */
  ready: Promise<string[]>;
  /** Stops every child (the Vigil services first, Prometheus last) and resolves when all have exited. */
  close(): Promise<void>;
}

/** availableServices lists the Vigil services the built CLI has a subcommand for. */
export function availableServices(cliPath: string): VigilService[] {
  const text = readFileSync(cliPath, 'utf8');
  return VIGIL_SERVICES.filter((s) => new RegExp(`\\.command\\(['"]${s}['"]\\)`).test(text));
}

/** HOST_ENV names the variable each Vigil service reads its listen address from. */
const HOST_ENV: Record<VigilService, string> = {
  agent: 'AGENT_HOST',
  analytics: 'ANALYTICS_HOST',
  alerts: 'ALERTS_HOST',
  dashboard: 'DASHBOARD_HOST',
};

/** PORT_ENV names the variable each Vigil service reads its port from. */
const PORT_ENV: Record<VigilService, string> = {
  agent: 'AGENT_PORT',
  analytics: 'ANALYTICS_PORT',
  alerts: 'ALERTS_PORT',
  dashboard: 'DASHBOARD_PORT',
};

async function answers(url: string): Promise<boolean> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await r.arrayBuffer();
    return r.ok;
  } catch {
    return false;
  }
}

/**
 * startStack runs the local stack: generates Prometheus's and Alertmanager's configuration from the
 * shipped files for local addresses, starts Prometheus, Alertmanager and every chosen Vigil service as
 * supervised children. It resolves as soon as the children are started; `ready` says when they answer.
 */
export async function startStack(config: StackConfig, deps: StackDeps): Promise<Stack> {
  const prometheusBin = findBinary('prometheus', config.prometheusBin, deps.env.PATH, 'PROMETHEUS_BIN');
  const alertmanagerBin = findBinary('alertmanager', config.alertmanagerBin, deps.env.PATH, 'ALERTMANAGER_BIN');
  const available = availableServices(deps.cliPath);
  const services = config.services ?? available;
  for (const s of services) {
    if (!available.includes(s))
      throw new ConfigError(`VIGIL_STACK_SERVICES: this build of vigil has no "${s}" service (it has ${available.join(', ') || 'none'})`);
  }
  const portEnv: Record<string, number> = { PROMETHEUS_PORT: config.ports.prometheus, ALERTMANAGER_PORT: config.ports.alertmanager };
  for (const s of services) portEnv[PORT_ENV[s]] = config.ports[s];
  const mailCatcher = services.includes('alerts') && !config.smtpConfigured;
  if (mailCatcher) portEnv.ALERTS_MAIL_CATCHER_PORT = config.mailCatcherPort;
  await assertPortsFree(config.host, portEnv);
  let files: { prometheus: string; alertmanager: string };
  try {
    files = await generateLocalConfig(config, services);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOTDIR') {
      throw new ConfigError(
        `DATA_DIR: cannot write under ${config.dataDir} (${code}); choose a writable directory with --data-dir or DATA_DIR`,
      );
    }
    throw err;
  }
  const paths = stackPaths(config.dataDir);
  const url = (port: number) => `http://${reachableHost(config.host)}:${port}`;
  const urls: Record<string, string> = { prometheus: url(config.ports.prometheus), alertmanager: url(config.ports.alertmanager) };
  for (const s of services) urls[s] = url(config.ports[s]);

  const shared: NodeJS.ProcessEnv = {
    PROMETHEUS_URL: urls.prometheus,
    ALERTMANAGER_URL: urls.alertmanager,
    ...(urls.alerts ? { ALERTS_URL: urls.alerts } : {}),
    ...(urls.analytics ? { ANALYTICS_URL: urls.analytics } : {}),
    // The links in alerts: the user's DASHBOARD_URL (a public name, a reverse proxy) wins over the local address.
    ...(urls.dashboard ? { DASHBOARD_URL: deps.env.DASHBOARD_URL ?? urls.dashboard } : {}),
  };
  const specs: ChildSpec[] = [
    {
      name: 'prometheus',
      command: prometheusBin,
      args: [
        `--config.file=${files.prometheus}`,
        `--storage.tsdb.path=${paths.prometheusData}`,
        `--storage.tsdb.retention.time=${config.retention}`,
        `--web.listen-address=${config.host}:${config.ports.prometheus}`,
        `--web.external-url=${urls.prometheus}`,
        // No --web.enable-lifecycle: nothing here needs /-/quit or /-/reload over HTTP (SIGHUP reloads),
        // and anyone who can reach the port could shut Prometheus down with it.
        // Their web UIs show what info-level start-up lines would; keep the stack's output readable.
        '--log.level=warn',
      ],
      env: binaryEnv(deps.env),
    },
    {
      name: 'alertmanager',
      command: alertmanagerBin,
      args: [
        `--config.file=${files.alertmanager}`,
        `--storage.path=${paths.alertmanagerData}`,
        `--web.listen-address=${config.host}:${config.ports.alertmanager}`,
        `--web.external-url=${urls.alertmanager}`,
        // One Alertmanager, no gossip: clustering would also claim port 9094.
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      env: binaryEnv(deps.env),
    },
  ];
  for (const s of services) {
    specs.push({
      name: s,
      command: process.execPath,
      args: [deps.cliPath, s],
      env: {
        ...serviceEnv(deps.env, s),
        ...shared,
        DATA_DIR: paths.service(s),
        [PORT_ENV[s]]: String(config.ports[s]),
        // Every service binds where Prometheus and Alertmanager do: loopback unless --host says otherwise.
        [HOST_ENV[s]]: config.host,
        // A new user sees the alert emails in the alerts service's own catcher when no SMTP server is configured.
        ...(s === 'alerts' && mailCatcher ? { ALERTS_MAIL_CATCHER: 'true', ALERTS_MAIL_CATCHER_PORT: String(config.mailCatcherPort) } : {}),
      },
    });
  }
  await Promise.all(
    [paths.prometheusData, paths.alertmanagerData, ...services.map(paths.service)].map((d) => mkdir(d, { recursive: true })),
  );

  const supervisor = new Supervisor(specs, { out: deps.out, maxBackoffMs: config.maxBackoffMs, graceMs: 4_000 });
  let closed = false;
  const close = () => {
    closed = true;
    return supervisor.stop([[...services].reverse(), ['alertmanager'], ['prometheus']]);
  };

  const probes: Record<string, string> = { prometheus: `${urls.prometheus}/-/ready`, alertmanager: `${urls.alertmanager}/-/ready` };
  for (const s of services) probes[s] = `${urls[s]}/-/healthy`;
  const ready = (async () => {
    // The dashboard first: Prometheus's http_sd asks it for targets at once, and logs an error if it is not up yet.
    if (services.includes('dashboard')) {
      supervisor.start(['dashboard']);
      const until = Date.now() + 15_000;
      while (!closed && Date.now() < until && !(await answers(probes.dashboard!))) await new Promise((r) => setTimeout(r, 100));
    }
    if (closed) return Object.keys(probes);
    supervisor.start();
    const pending = new Set(Object.keys(probes));
    const deadline = Date.now() + (deps.readyTimeoutMs ?? 90_000);
    while (pending.size && !closed && Date.now() < deadline) {
      await Promise.all(
        [...pending].map(async (n) => {
          if (await answers(probes[n]!)) pending.delete(n);
        }),
      );
      if (pending.size) await new Promise((r) => setTimeout(r, 250));
    }
    return [...pending];
  })();
  return { urls, supervisor, ready, close };
}
