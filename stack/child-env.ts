import type { VigilService } from './config.js';

/** What any program needs from the environment to run at all (locale, time zone, temp dir, search path). */
const BASE = /^(PATH|HOME|USER|LOGNAME|LANG|LANGUAGE|LC_[A-Z]+|TZ|TMPDIR|TEMP|TMP)$/;
/** Go runtime tuning that Prometheus and Alertmanager honour. */
const GO_RUNTIME = /^(GOMAXPROCS|GOMEMLIMIT|GOGC|GODEBUG)$/;
/** Node runtime settings (extra CA certificates, options) the Vigil services honour. */
const NODE_RUNTIME = /^(NODE_OPTIONS|NODE_EXTRA_CA_CERTS|NODE_ENV)$/;
/** Settings the Vigil services read, by prefix; secrets among them are handed out below. */
const VIGIL_SETTINGS =
  /^(VIGIL_|AGENT_|ANALYTICS_|ALERTS_|ALERTMANAGER_|PROMETHEUS_|DASHBOARD_|DISCOVERY_|THRESHOLD_|LOG_LEVEL$|DATA_DIR$)/;

/** Secrets, and which Vigil services get them. */
const SECRETS: Array<{ name: RegExp; to: readonly VigilService[] }> = [
  // Every Vigil service enforces the token on its API; the agent also sends it when it registers.
  { name: /^DASHBOARD_TOKEN$/, to: ['agent', 'analytics', 'alerts', 'dashboard'] },
  // Only the alerts service sends email, posts to Slack and calls webhooks.
  { name: /^(SMTP_[A-Z_]+|ALERT_EMAIL_[A-Z_]+|ALERT_WEBHOOK_URL|SLACK_WEBHOOK_URL)$/, to: ['alerts'] },
];

function pick(env: NodeJS.ProcessEnv, keep: (name: string) => boolean): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== undefined && keep(k)));
}

/**
 * binaryEnv is the environment of Prometheus and Alertmanager: only what any program needs and Go's
 * runtime settings. Neither reads its configuration from the environment, so neither gets a secret.
 */
export function binaryEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return pick(env, (k) => BASE.test(k) || GO_RUNTIME.test(k));
}

/**
 * serviceEnv is the environment of one Vigil service: the runtime basics, Vigil's own settings, and
 * only the secrets that service uses (SMTP_* and the Slack and webhook URLs to alerts, DASHBOARD_TOKEN
 * to the Vigil services). Anything else in the stack's environment stays with the stack.
 */
export function serviceEnv(env: NodeJS.ProcessEnv, service: VigilService): NodeJS.ProcessEnv {
  return pick(env, (k) => {
    const secret = SECRETS.find((s) => s.name.test(k));
    if (secret) return secret.to.includes(service);
    return BASE.test(k) || NODE_RUNTIME.test(k) || VIGIL_SETTINGS.test(k);
  });
}
