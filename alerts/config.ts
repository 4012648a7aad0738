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
  /** How often a notification held back because the silences are unknown asks again, in s (no variable: tests shorten it). */
  silenceRetryInterval: number;
  /** Longest a notification is held back because the silences are unknown, in s; then it is sent as not silenced. */
  silencesUnknownMaxHold: number;
  resolveTimeout: number;
  maxResolved: number;
  deadLetterRetention: number;
  deadLetterMax: number;
  deliveredRetention: number;
  deliveredMax: number;
  historyMaxBytes: number;
  historyFiles: number;
  historyMemoryEvents: number;
  snapshotInterval: number;
  snapshotJournalBytes: number;
  stallTimeout: number;
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
  silenceRetryInterval: 10, // s
  silencesUnknownMaxHold: 300, // s: an Alertmanager restart fits; one that stays down does not hide alerts for long
  mailCatcherPort: 0, // any free loopback port: only the service itself sends to it
  resolveTimeout: 300, // s: a firing alert without endsAt resolves when not re-sent for this long (Alertmanager's resolve_timeout)
  maxResolved: 10_000, // resolved alerts kept (GET /api/v1/alerts); the oldest go first
  deadLetterRetention: 7 * 24 * 3600, // s
  deadLetterMax: 1000, // dead letters kept
  deliveredRetention: 7 * 24 * 3600, // s a delivered idempotency key is remembered
  deliveredMax: 100_000, // delivered keys remembered
  historyMaxBytes: 16 * 1024 * 1024, // bytes of history.jsonl before it is rotated to history.jsonl.1
  historyFiles: 5, // rotated history files kept besides the current one
  historyMemoryEvents: 20_000, // newest history events served by the API (held in memory, about 7 MB); older ones stay in the files
  snapshotInterval: 60, // s: longest a journal record waits to be folded into state.json
  snapshotJournalBytes: 8 * 1024 * 1024, // bytes: a journal this large is folded in sooner
  stallTimeout: 60, // s: a journal write or delivery stuck this long fails readiness; twice this exits
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
  ALERTS_RESOLVE_TIMEOUT_SECONDS: envNumber({ min: 1, max: 30 * 86400, what: 'a number of seconds' }),
  ALERTS_MAX_RESOLVED: envNumber({ min: 0, max: 1_000_000, int: true, what: 'a count of alerts' }),
  ALERTS_DEAD_LETTER_RETENTION_SECONDS: envNumber({ min: 60, max: 365 * 86400, what: 'a number of seconds' }),
  ALERTS_DEAD_LETTER_MAX: envNumber({ min: 1, max: 1_000_000, int: true, what: 'a count of dead letters' }),
  ALERTS_DELIVERED_RETENTION_SECONDS: envNumber({ min: 3600, max: 365 * 86400, what: 'a number of seconds' }),
  ALERTS_DELIVERED_MAX: envNumber({ min: 1000, max: 10_000_000, int: true, what: 'a count of keys' }),
  ALERTS_HISTORY_MAX_BYTES: envNumber({ min: 4096, max: 1024 ** 4, int: true, what: 'a size in bytes' }),
  ALERTS_HISTORY_FILES: envNumber({ min: 0, max: 1000, int: true, what: 'a count of files' }),
  ALERTS_HISTORY_MEMORY_EVENTS: envNumber({ min: 100, max: 10_000_000, int: true, what: 'a count of events' }),
  ALERTS_SNAPSHOT_INTERVAL_SECONDS: envNumber({ min: 1, max: 3600, what: 'a number of seconds' }),
  ALERTS_SNAPSHOT_JOURNAL_BYTES: envNumber({ min: 4096, max: 1024 ** 3, int: true, what: 'a size in bytes' }),
  ALERTS_STALL_TIMEOUT_SECONDS: envNumber({ min: 1, max: 3600, what: 'a number of seconds' }),
};

const EMAIL = /^[^\s@,]+@[^\s@,]+$/;
const DOMAIN = /^@?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/i;

function emailAllowlist(s: string | undefined): string[] {
  const list = (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  for (const a of list) {
    if (!EMAIL.test(a) && !DOMAIN.test(a))
      throw new ConfigError(
        `ALERTS_EMAIL_ALLOWLIST: expected comma-separated domains (example.com) or email addresses, got ${JSON.stringify(a)}`,
      );
  }
  return list;
}

function emailList(name: string, s: string | undefined): string[] {
  const list = (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  for (const a of list)
    if (!EMAIL.test(a)) throw new ConfigError(`${name}: expected comma-separated email addresses, got ${JSON.stringify(a)}`);
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
    ? {
        host: e.SMTP_HOST,
        port: e.SMTP_PORT ?? (e.SMTP_SECURE ? 465 : 587),
        secure: e.SMTP_SECURE ?? false,
        user: e.SMTP_USER,
        password: e.SMTP_PASSWORD,
      }
    : undefined;
  const retryBase = e.ALERTS_RETRY_BASE_SECONDS ?? DEFAULTS.retryBase;
  const retryMax = e.ALERTS_RETRY_MAX_SECONDS ?? DEFAULTS.retryMax;
  if (retryMax < retryBase)
    throw new ConfigError(`ALERTS_RETRY_MAX_SECONDS: expected at least ALERTS_RETRY_BASE_SECONDS (${retryBase}), got ${retryMax}`);
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
    silenceRetryInterval: DEFAULTS.silenceRetryInterval,
    silencesUnknownMaxHold: DEFAULTS.silencesUnknownMaxHold,
    resolveTimeout: e.ALERTS_RESOLVE_TIMEOUT_SECONDS ?? DEFAULTS.resolveTimeout,
    maxResolved: e.ALERTS_MAX_RESOLVED ?? DEFAULTS.maxResolved,
    deadLetterRetention: e.ALERTS_DEAD_LETTER_RETENTION_SECONDS ?? DEFAULTS.deadLetterRetention,
    deadLetterMax: e.ALERTS_DEAD_LETTER_MAX ?? DEFAULTS.deadLetterMax,
    deliveredRetention: e.ALERTS_DELIVERED_RETENTION_SECONDS ?? DEFAULTS.deliveredRetention,
    deliveredMax: e.ALERTS_DELIVERED_MAX ?? DEFAULTS.deliveredMax,
    historyMaxBytes: e.ALERTS_HISTORY_MAX_BYTES ?? DEFAULTS.historyMaxBytes,
    historyFiles: e.ALERTS_HISTORY_FILES ?? DEFAULTS.historyFiles,
    historyMemoryEvents: e.ALERTS_HISTORY_MEMORY_EVENTS ?? DEFAULTS.historyMemoryEvents,
    snapshotInterval: e.ALERTS_SNAPSHOT_INTERVAL_SECONDS ?? DEFAULTS.snapshotInterval,
    snapshotJournalBytes: e.ALERTS_SNAPSHOT_JOURNAL_BYTES ?? DEFAULTS.snapshotJournalBytes,
    stallTimeout: e.ALERTS_STALL_TIMEOUT_SECONDS ?? DEFAULTS.stallTimeout,
  };
}
