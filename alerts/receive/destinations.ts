import type { AlertAction } from '../../common/alerting/index.js';
import type { Alert } from '../alert.js';

/** What decides where an alert's actions may send: configuration only, never the alert. */
export interface DestinationConfig {
  /** ALERT_EMAIL_TO: always allowed. */
  emailTo: string[];
  /** ALERTS_EMAIL_ALLOWLIST: domains (`example.com`) or whole addresses that actions may email. */
  emailAllowlist: string[];
  /** True when mail never leaves this machine (the local mail catcher): any recipient is allowed. */
  anyEmail: boolean;
  /** SLACK_WEBHOOK_URL and ALERT_WEBHOOK_URL: always allowed. */
  slackWebhookUrl?: string;
  webhookUrls: string[];
  /** ALERTS_WEBHOOK_ALLOWLIST: URL prefixes that slack and webhook actions may post to. */
  webhookAllowlist: string[];
}

/** A single address: no lists, no display names, nothing a mail library would read as a second recipient. */
const ADDRESS = /^[^\s@,;<>"()]+@([^\s@,;<>"()]+)$/;

/** origin and path of an http(s) URL, or undefined; userinfo is refused (it hides the real host from readers). */
function parseUrl(s: string): URL | undefined {
  try {
    const u = new URL(s);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password) return undefined;
    return u;
  } catch {
    return undefined;
  }
}

/** urlUnder says whether `url` is at or below `prefix`: same scheme, host and port, and a path that starts with the prefix's. */
export function urlUnder(url: string, prefix: string): boolean {
  const u = parseUrl(url);
  const p = parseUrl(prefix);
  if (!u || !p || u.origin !== p.origin) return false;
  if (p.pathname === '/' || u.pathname === p.pathname) return true;
  const dir = p.pathname.endsWith('/') ? p.pathname : `${p.pathname}/`;
  return u.pathname.startsWith(dir);
}

/**
 * DestinationPolicy says which of an alert's actions Vigil may carry out. An alert may pick among the
 * destinations the operator configured (ALERT_EMAIL_TO, SLACK_WEBHOOK_URL, ALERT_WEBHOOK_URL) or
 * allow-listed (ALERTS_EMAIL_ALLOWLIST, ALERTS_WEBHOOK_ALLOWLIST); any other action is dropped at
 * receipt and counted, and the alert goes to the configured defaults for that channel instead. So
 * nobody who can post an alert can make Vigil email or POST anywhere else (an open relay).
 */
export class DestinationPolicy {
  private readonly emails: Set<string>;
  private readonly domains: Set<string>;
  private readonly urls: string[];

  constructor(private readonly c: DestinationConfig) {
    const entries = [...c.emailTo, ...c.emailAllowlist].map((x) => x.trim().toLowerCase()).filter(Boolean);
    this.emails = new Set(entries.filter((x) => x.includes('@')));
    this.domains = new Set(entries.filter((x) => !x.includes('@')).map((d) => d.replace(/^@/, '')));
    this.urls = [...(c.slackWebhookUrl ? [c.slackWebhookUrl] : []), ...c.webhookUrls, ...c.webhookAllowlist];
  }

  /** allows says whether one action's destination is configured or allow-listed. */
  allows(a: AlertAction): boolean {
    const v = a.value.trim();
    if (a.type === 'email') {
      const m = ADDRESS.exec(v);
      if (!m) return false;
      if (this.c.anyEmail) return true;
      return this.emails.has(v.toLowerCase()) || this.domains.has(m[1]!.toLowerCase());
    }
    return this.urls.some((prefix) => urlUnder(v, prefix));
  }

  /** filter drops the actions this policy refuses from each alert (in place) and returns what it dropped. */
  filter(alerts: Alert[]): AlertAction[] {
    const refused: AlertAction[] = [];
    for (const a of alerts) {
      if (!a.actions.length) continue;
      const kept = a.actions.filter((x) => this.allows(x) || (refused.push(x), false));
      if (kept.length !== a.actions.length) a.actions = kept;
    }
    return refused;
  }
}

/** describeTarget names a refused destination for logs without its path (a webhook URL's path can be a secret). */
export function describeTarget(a: AlertAction): string {
  if (a.type === 'email') return a.value.replace(/^[^@]*/, '…');
  const u = parseUrl(a.value.trim());
  return u ? `${u.origin}/…` : 'an invalid URL';
}
