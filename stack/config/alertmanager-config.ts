import { rewriteUrl, type AddressMap } from './addresses.js';

interface WebhookConfig {
  url: string;
  send_resolved?: boolean;
  [key: string]: unknown;
}
interface Receiver {
  name: string;
  webhook_configs?: WebhookConfig[];
  email_configs?: Array<Record<string, unknown>>;
  slack_configs?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}
interface Route {
  receiver?: string;
  continue?: boolean;
  routes?: Route[];
  [key: string]: unknown;
}

/** AlertmanagerConfigDoc is alertmanager.yml parsed. */
export interface AlertmanagerConfigDoc {
  global?: Record<string, unknown>;
  route?: Route;
  receivers?: Receiver[];
  [key: string]: unknown;
}

/** DirectNotify is what Alertmanager needs to email and post to Slack itself (from SMTP_*, ALERT_EMAIL_*, SLACK_WEBHOOK_URL). */
export interface DirectNotify {
  smtpHost?: string;
  smtpPort?: number;
  /** Implicit TLS (SMTPS, usually port 465) or at least STARTTLS required. */
  smtpSecure?: boolean;
  smtpUser?: string;
  smtpPassword?: string;
  emailFrom?: string;
  /** Recipients, comma-separated. */
  emailTo?: string;
  slackWebhookUrl?: string;
}

/** Options for renderAlertmanagerConfig. */
export interface AlertmanagerRenderOptions {
  /** Where each compose service really is; a webhook to a service that does not run is dropped. */
  addresses?: AddressMap;
  /** More webhook receivers that get every alert (e.g. a test receiver, another tool). */
  extraWebhookUrls?: string[];
  /** When set, Alertmanager also emails and posts to Slack itself. */
  direct?: DirectNotify;
  /** DASHBOARD_TOKEN: sent as a bearer token on the webhook to the Vigil alerts service, which requires it. */
  alertsToken?: string;
}

/** The path of the alerts service's webhook route: the receivers that post there carry the token. */
const ALERTS_WEBHOOK_PATH = '/api/v1/alertmanager-webhook';

/**
 * renderAlertmanagerConfig turns the shipped alertmanager.yml into the one Alertmanager runs:
 * webhook URLs go through the address map, extra webhooks become receivers of their own, and, when
 * `direct` is given, email and Slack receivers are added from it — values that Alertmanager cannot read
 * from the environment itself. Every added receiver hangs off the top route with `continue: true`, so
 * each alert reaches all of them. The source document is not modified.
 */
export function renderAlertmanagerConfig(source: AlertmanagerConfigDoc, opts: AlertmanagerRenderOptions = {}): AlertmanagerConfigDoc {
  const doc = structuredClone(source);
  doc.receivers = (doc.receivers ?? []).map((r) => {
    if (!r.webhook_configs) return r;
    const hooks = r.webhook_configs
      .map((w) => {
        const url = rewriteUrl(opts.addresses, w.url);
        if (url === undefined) return undefined;
        const auth =
          opts.alertsToken && new URL(url).pathname === ALERTS_WEBHOOK_PATH
            ? { http_config: { authorization: { type: 'Bearer', credentials: opts.alertsToken } } }
            : {};
        return { ...w, url, ...auth };
      })
      .filter((w): w is WebhookConfig => w !== undefined);
    const out: Receiver = { ...r };
    if (hooks.length) out.webhook_configs = hooks;
    else delete out.webhook_configs; // a receiver with no integration is valid: the alert goes nowhere
    return out;
  });
  doc.route = { ...doc.route, routes: [...(doc.route?.routes ?? [])] };
  const addReceiver = (r: Receiver) => {
    doc.receivers!.push(r);
    doc.route!.routes!.push({ receiver: r.name, continue: true });
  };

  (opts.extraWebhookUrls ?? []).forEach((url, i) =>
    addReceiver({ name: `webhook-${i + 1}`, webhook_configs: [{ url, send_resolved: true }] }),
  );

  const d = opts.direct;
  if (d?.smtpHost && d.emailTo) {
    const port = d.smtpPort ?? (d.smtpSecure ? 465 : 587);
    doc.global = {
      ...doc.global,
      smtp_smarthost: `${d.smtpHost}:${port}`,
      smtp_from: d.emailFrom ?? `vigil@${d.smtpHost}`,
      smtp_require_tls: d.smtpSecure ?? false,
      ...(d.smtpUser ? { smtp_auth_username: d.smtpUser } : {}),
      ...(d.smtpPassword ? { smtp_auth_password: d.smtpPassword } : {}),
    };
    addReceiver({
      name: 'email',
      email_configs: d.emailTo
        .split(',')
        .map((to) => to.trim())
        .filter(Boolean)
        .map((to) => ({ to, send_resolved: true })),
    });
  }
  if (d?.slackWebhookUrl) {
    addReceiver({
      name: 'slack',
      slack_configs: [
        {
          api_url: d.slackWebhookUrl,
          send_resolved: true,
          title:
            '{{ if eq .Status "firing" }}[FIRING]{{ else }}[RESOLVED]{{ end }} {{ .CommonLabels.alertname }} on {{ .CommonLabels.instance }}',
          text: '{{ range .Alerts }}{{ .Annotations.summary }}\n{{ .Annotations.description }}\n{{ end }}',
        },
      ],
    });
  }
  return doc;
}
