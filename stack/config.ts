import { join } from 'node:path';
import { envBool, envEnum, envNumber, envPort, envString, envUrlList, parseEnv, type Env } from '../common/config.js';
import { dataDir } from '../common/data-dir.js';
import { ConfigError } from '../common/errors.js';
import type { DirectNotify } from './config/alertmanager-config.js';

/** The Vigil services the stack can run, in start order. */
export const VIGIL_SERVICES = ['agent', 'dashboard', 'analytics', 'alerts'] as const;
/** A Vigil service name. */
export type VigilService = (typeof VIGIL_SERVICES)[number];

/** StackConfig is `vigil stack`'s configuration: environment, with flags mapped onto the same variables. */
export interface StackConfig {
  /** Root of the stack's state: generated configs, Prometheus TSDB, one subdirectory per service (`DATA_DIR`). */
  dataDir: string;
  /** Address every child binds (Prometheus, Alertmanager and each Vigil service) and every URL uses (`VIGIL_STACK_HOST`); loopback by default. */
  host: string;
  ports: { prometheus: number; alertmanager: number } & Record<VigilService, number>;
  /** Which Vigil services to run (`VIGIL_STACK_SERVICES`); default all that the built CLI has. */
  services: VigilService[] | undefined;
  prometheusBin: string | undefined;
  alertmanagerBin: string | undefined;
  /** TSDB retention (`PROMETHEUS_RETENTION`, Prometheus duration). */
  retention: string;
  /** Extra Prometheus rule files (`VIGIL_STACK_RULE_FILES`, comma-separated). */
  extraRuleFiles: string[];
  /** Extra Alertmanager webhook receivers (`VIGIL_STACK_WEBHOOK_URLS`, comma-separated). */
  extraWebhookUrls: string[];
  /** Whether Alertmanager emails/posts to Slack itself (`ALERTMANAGER_NOTIFY_DIRECT`: auto = only when the alerts service does not run). */
  notifyDirect: 'auto' | 'true' | 'false';
  direct: DirectNotify;
  /** `DASHBOARD_TOKEN`, for Prometheus's http_sd requests. */
  dashboardToken: string | undefined;
  /** Whether `SMTP_HOST` is set (otherwise the alerts service runs its mail catcher). */
  smtpConfigured: boolean;
  /** SMTP port of the alerts service's mail catcher (`ALERTS_MAIL_CATCHER_PORT`), used when SMTP_HOST is unset. */
  mailCatcherPort: number;
  /** Largest restart backoff in ms (`VIGIL_STACK_MAX_BACKOFF_SECONDS`). */
  maxBackoffMs: number;
  logLevel: string;
}

/** Default ports, as ARCHITECTURE.md lists them. */
export const DEFAULT_PORTS = { prometheus: 9090, alertmanager: 9093, agent: 9101, analytics: 9102, alerts: 9103, dashboard: 5000 } as const;

const PORT_ENV = {
  prometheus: 'PROMETHEUS_PORT',
  alertmanager: 'ALERTMANAGER_PORT',
  agent: 'AGENT_PORT',
  analytics: 'ANALYTICS_PORT',
  alerts: 'ALERTS_PORT',
  dashboard: 'DASHBOARD_PORT',
} as const;

function list(v: string | undefined): string[] {
  return (v ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** loadConfig reads the stack's configuration; a bad value throws a ConfigError naming the variable. */
export function loadConfig(env: Env): StackConfig {
  const e = parseEnv(
    {
      PROMETHEUS_PORT: envPort(),
      ALERTMANAGER_PORT: envPort(),
      AGENT_PORT: envPort(),
      ANALYTICS_PORT: envPort(),
      ALERTS_PORT: envPort(),
      DASHBOARD_PORT: envPort(),
      VIGIL_STACK_HOST: envString(),
      VIGIL_STACK_SERVICES: envString(),
      PROMETHEUS_BIN: envString(),
      ALERTMANAGER_BIN: envString(),
      PROMETHEUS_RETENTION: envString(),
      VIGIL_STACK_RULE_FILES: envString(),
      VIGIL_STACK_WEBHOOK_URLS: envUrlList(),
      VIGIL_STACK_MAX_BACKOFF_SECONDS: envNumber({ min: 0.1, max: 3600, what: 'a number of seconds' }),
      ALERTMANAGER_NOTIFY_DIRECT: envEnum(['auto', 'true', 'false'] as const),
      SMTP_HOST: envString(),
      SMTP_PORT: envPort(),
      SMTP_SECURE: envBool(),
      SMTP_USER: envString(),
      SMTP_PASSWORD: envString(),
      ALERT_EMAIL_FROM: envString(),
      ALERT_EMAIL_TO: envString(),
      SLACK_WEBHOOK_URL: envString(),
      DASHBOARD_TOKEN: envString(),
      ALERTS_MAIL_CATCHER_PORT: envPort(),
      LOG_LEVEL: envString(),
    },
    env,
  );
  let services: VigilService[] | undefined;
  if (e.VIGIL_STACK_SERVICES !== undefined) {
    services = [];
    for (const s of list(e.VIGIL_STACK_SERVICES)) {
      if (!(VIGIL_SERVICES as readonly string[]).includes(s)) {
        throw new ConfigError(
          `VIGIL_STACK_SERVICES: expected a comma-separated list of ${VIGIL_SERVICES.join(', ')}, got ${JSON.stringify(s)}`,
        );
      }
      services.push(s as VigilService);
    }
  }
  const retention = e.PROMETHEUS_RETENTION ?? '15d';
  if (!/^(\d+(y|w|d|h|m|s|ms))+$/.test(retention)) {
    throw new ConfigError(`PROMETHEUS_RETENTION: expected a Prometheus duration such as 15d or 12h, got ${JSON.stringify(retention)}`);
  }
  const ports = Object.fromEntries(
    Object.entries(PORT_ENV).map(([svc, name]) => [svc, e[name] ?? DEFAULT_PORTS[svc as keyof typeof DEFAULT_PORTS]]),
  ) as StackConfig['ports'];
  return {
    dataDir: dataDir(env),
    host: e.VIGIL_STACK_HOST ?? '127.0.0.1',
    ports,
    services,
    prometheusBin: e.PROMETHEUS_BIN,
    alertmanagerBin: e.ALERTMANAGER_BIN,
    retention,
    extraRuleFiles: list(e.VIGIL_STACK_RULE_FILES),
    extraWebhookUrls: e.VIGIL_STACK_WEBHOOK_URLS ?? [],
    notifyDirect: e.ALERTMANAGER_NOTIFY_DIRECT ?? 'auto',
    direct: {
      smtpHost: e.SMTP_HOST,
      smtpPort: e.SMTP_PORT,
      smtpSecure: e.SMTP_SECURE,
      smtpUser: e.SMTP_USER,
      smtpPassword: e.SMTP_PASSWORD,
      emailFrom: e.ALERT_EMAIL_FROM,
      emailTo: e.ALERT_EMAIL_TO,
      slackWebhookUrl: e.SLACK_WEBHOOK_URL,
    },
    dashboardToken: e.DASHBOARD_TOKEN,
    smtpConfigured: e.SMTP_HOST !== undefined,
    mailCatcherPort: e.ALERTS_MAIL_CATCHER_PORT ?? 2525,
    maxBackoffMs: (e.VIGIL_STACK_MAX_BACKOFF_SECONDS ?? 30) * 1000,
    logLevel: e.LOG_LEVEL ?? 'info',
  };
}

/** reachableHost is the address to connect to for a bind address: the wildcard addresses mean this machine. */
export function reachableHost(bindHost: string): string {
  return bindHost === '0.0.0.0' || bindHost === '::' || bindHost === '' ? '127.0.0.1' : bindHost;
}

/** stackPaths are where the stack keeps what it generates and stores, under the data directory. */
export function stackPaths(root: string) {
  return {
    prometheusConfig: join(root, 'stack', 'prometheus.yml'),
    alertmanagerConfig: join(root, 'stack', 'alertmanager.yml'),
    prometheusData: join(root, 'prometheus'),
    alertmanagerData: join(root, 'alertmanager'),
    service: (name: string) => join(root, name),
  };
}
