import { join } from 'node:path';
import { envBool, envNumber, envPort, envString, envUrl, envUrlList, parseEnv, type Env } from '../common/config.js';
import { dataDir } from '../common/data-dir.js';
import { ConfigError } from '../common/errors.js';

/** SmtpConfig is how email leaves the service (nodemailer). */
export interface SmtpConfig {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
}

/** AlertsConfig is the alerts service's configuration; every duration is in seconds. */
export interface AlertsConfig {
  port: number;
  host?: string;
  /** Where the outbox, journal, state and history live (`DATA_DIR/alerts`). */
  dir: string;
  logLevel: string;
  smtp?: SmtpConfig;
  /** Start an in-process SMTP catcher that stores mail as .eml (the local stack, when no SMTP_HOST). */
  mailCatcher: boolean;
  mailCatcherPort: number;
  emailFrom: string;
  emailTo: string[];
  slackWebhookUrl?: string;
  webhookUrls: string[];
  /** Domains or addresses a rule's email actions may send to, besides emailTo (`ALERTS_EMAIL_ALLOWLIST`). */
  emailAllowlist: string[];
  /** URL prefixes a rule's slack and webhook actions may post to, besides the configured URLs (`ALERTS_WEBHOOK_ALLOWLIST`). */
  webhookAllowlist: string[];
  /** Any email recipient is allowed: set when mail goes to the local catcher and never leaves the machine. */
  anyEmailRecipient: boolean;
  alertmanagerUrls: string[];
  prometheusUrl?: string;
  dashboardUrl: string;
  token?: string;
  groupWait: number;
  repeatInterval: number;
  flapThreshold: number;
  flapWindow: number;
  silenceCacheTtl: number;
  forwardResendInterval: number;
  retryMaxAttempts: number;
  retryBase: number;
  retryMax: number;
  resolvedRetention: number;
  tickInterval: number;
}

/** Defaults, with units. */
export const DEFAULTS = {
  port: 9103,
  groupWait: 5, // s: long enough to gather the alerts one evaluation produces, short enough to be prompt
  repeatInterval: 4 * 3600, // s
  flapThreshold: 3, // fires in the window; more than this is flapping
  flapWindow: 600, // s
  silenceCacheTtl: 5, // s
  forwardResendInterval: 60, // s, as Prometheus re-sends firing alerts
  retryMaxAttempts: 12,
  retryBase: 1, // s, doubled per attempt
  retryMax: 300, // s
  resolvedRetention: 3600, // s a resolved alert stays in GET /api/v1/alerts
  tickInterval: 0.25, // s
  mailCatcherPort: 0, // any free loopback port: only the service itself sends to it
} as const;

const shape = {
  ALERTS_PORT: envPort(),
  ALERTS_HOST: envString(),
  LOG_LEVEL: envString(),
  DASHBOARD_TOKEN: envString(),
  SMTP_HOST: envString(),
  SMTP_PORT: envPort(),
  SMTP_SECURE: envBool(),
  SMTP_USER: envString(),
  SMTP_PASSWORD: envString(),
  ALERTS_MAIL_CATCHER: envBool(),
  ALERTS_MAIL_CATCHER_PORT: envPort(),
  ALERT_EMAIL_FROM: envString(),
  ALERT_EMAIL_TO: envString(),
  SLACK_WEBHOOK_URL: envUrl(),
  ALERT_WEBHOOK_URL: envUrlList(),
  ALERTS_EMAIL_ALLOWLIST: envString(),
  ALERTS_WEBHOOK_ALLOWLIST: envUrlList(),
  ALERTMANAGER_URL: envUrlList(),
  PROMETHEUS_URL: envUrl(),
  DASHBOARD_URL: envUrl(),
  ALERTS_GROUP_WAIT_SECONDS: envNumber({ min: 0, what: 'a number of seconds' }),
  ALERTS_REPEAT_INTERVAL_SECONDS: envNumber({ min: 1, what: 'a number of seconds' }),
  ALERTS_FLAP_THRESHOLD: envNumber({ min: 1, int: true, what: 'a count of fires' }),
  ALERTS_FLAP_WINDOW_SECONDS: envNumber({ min: 1, what: 'a number of seconds' }),
  ALERTS_SILENCE_CACHE_SECONDS: envNumber({ min: 0, what: 'a number of seconds' }),
  ALERTS_FORWARD_RESEND_SECONDS: envNumber({ min: 1, what: 'a number of seconds' }),
  ALERTS_RETRY_MAX_ATTEMPTS: envNumber({ min: 1, int: true, what: 'a number of attempts' }),
  ALERTS_RETRY_BASE_SECONDS: envNumber({ min: 0.01, what: 'a number of seconds' }),
  ALERTS_RETRY_MAX_SECONDS: envNumber({ min: 0.01, what: 'a number of seconds' }),
  ALERTS_RESOLVED_RETENTION_SECONDS: envNumber({ min: 0, what: 'a number of seconds' }),
};

const EMAIL = /^[^\s@,]+@[^\s@,]+$/;
const DOMAIN = /^@?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;

function emailAllowlist(s: string | undefined): string[] {
  const list = (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  for (const a of list) {
    if (!EMAIL.test(a) && !DOMAIN.test(a)) throw new ConfigError(`ALERTS_EMAIL_ALLOWLIST: expected comma-separated domains (example.com) or email addresses, got ${JSON.stringify(a)}`);
  }
  return list;
}

function emailList(name: string, s: string | undefined): string[] {
  const list = (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  for (const a of list) if (!EMAIL.test(a)) throw new ConfigError(`${name}: expected comma-separated email addresses, got ${JSON.stringify(a)}`);
  return list;
}

/**
 * loadConfig reads the alerts service's configuration from the environment; a bad value throws a
 * ConfigError naming the variable and what it expected.
 */
export function loadConfig(env: Env): AlertsConfig {
  const e = parseEnv(shape, env);
  const from = e.ALERT_EMAIL_FROM ?? 'Vigil <vigil@localhost>';
  const smtp: SmtpConfig | undefined = e.SMTP_HOST
    ? { host: e.SMTP_HOST, port: e.SMTP_PORT ?? (e.SMTP_SECURE ? 465 : 587), secure: e.SMTP_SECURE ?? false, user: e.SMTP_USER, password: e.SMTP_PASSWORD }
    : undefined;
  const retryBase = e.ALERTS_RETRY_BASE_SECONDS ?? DEFAULTS.retryBase;
  const retryMax = e.ALERTS_RETRY_MAX_SECONDS ?? DEFAULTS.retryMax;
  if (retryMax < retryBase) throw new ConfigError(`ALERTS_RETRY_MAX_SECONDS: expected at least ALERTS_RETRY_BASE_SECONDS (${retryBase}), got ${retryMax}`);
  return {
    port: e.ALERTS_PORT ?? DEFAULTS.port,
    host: e.ALERTS_HOST,
    dir: join(dataDir(env), 'alerts'),
    logLevel: e.LOG_LEVEL ?? 'info',
    smtp,
    mailCatcher: (e.ALERTS_MAIL_CATCHER ?? false) && !smtp,
    mailCatcherPort: e.ALERTS_MAIL_CATCHER_PORT ?? DEFAULTS.mailCatcherPort,
    emailFrom: from,
    emailTo: emailList('ALERT_EMAIL_TO', e.ALERT_EMAIL_TO),
    slackWebhookUrl: e.SLACK_WEBHOOK_URL,
    webhookUrls: e.ALERT_WEBHOOK_URL ?? [],
    emailAllowlist: emailAllowlist(e.ALERTS_EMAIL_ALLOWLIST),
    webhookAllowlist: e.ALERTS_WEBHOOK_ALLOWLIST ?? [],
    anyEmailRecipient: false,
    alertmanagerUrls: e.ALERTMANAGER_URL ?? [],
    prometheusUrl: e.PROMETHEUS_URL,
    dashboardUrl: e.DASHBOARD_URL ?? 'http://localhost:5000',
    token: e.DASHBOARD_TOKEN,
    groupWait: e.ALERTS_GROUP_WAIT_SECONDS ?? DEFAULTS.groupWait,
    repeatInterval: e.ALERTS_REPEAT_INTERVAL_SECONDS ?? DEFAULTS.repeatInterval,
    flapThreshold: e.ALERTS_FLAP_THRESHOLD ?? DEFAULTS.flapThreshold,
    flapWindow: e.ALERTS_FLAP_WINDOW_SECONDS ?? DEFAULTS.flapWindow,
    silenceCacheTtl: e.ALERTS_SILENCE_CACHE_SECONDS ?? DEFAULTS.silenceCacheTtl,
    forwardResendInterval: e.ALERTS_FORWARD_RESEND_SECONDS ?? DEFAULTS.forwardResendInterval,
    retryMaxAttempts: e.ALERTS_RETRY_MAX_ATTEMPTS ?? DEFAULTS.retryMaxAttempts,
    retryBase,
    retryMax,
    resolvedRetention: e.ALERTS_RESOLVED_RETENTION_SECONDS ?? DEFAULTS.resolvedRetention,
    tickInterval: DEFAULTS.tickInterval,
  };
}
