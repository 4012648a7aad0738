import type { AlertAction } from '../../common/alerting/index.js';
import type { OutboxRequest } from '../outbox/outbox.js';
import type { Notification } from '../notify/notification.js';
import { deliveryKey } from './delivery-keys.js';

/** Where notifications go when a rule's actions do not say. */
export interface RouteDefaults {
  /** Email is possible (SMTP configured or the local catcher running). */
  emailEnabled: boolean;
  emailTo: string[];
  slackWebhookUrl?: string;
  webhookUrls: string[];
}

/**
 * route turns a notification into one outbox request per channel target. A rule's actions pick the
 * recipients; for a channel the actions do not mention, the service defaults apply
 * (`ALERT_EMAIL_TO`, `SLACK_WEBHOOK_URL`, `ALERT_WEBHOOK_URL`).
 */
export function route(n: Notification, actions: AlertAction[], members: string[], d: RouteDefaults): OutboxRequest[] {
  const pick = (type: AlertAction['type']) => [...new Set(actions.filter((a) => a.type === type).map((a) => a.value.trim()))];
  const emails = pick('email');
  const slack = pick('slack');
  const hooks = pick('webhook');
  const out: OutboxRequest[] = [];
  const fingerprints = n.alerts.map((a) => a.fingerprint);
  const add = (channel: OutboxRequest['channel'], target: string) =>
    out.push({ channel, target, key: deliveryKey(channel, target, n.kind, members), idempotent: true, payload: n, fingerprints });
  const to = (emails.length ? emails : d.emailTo).sort().join(',');
  if (d.emailEnabled && to) add('email', to);
  for (const url of slack.length ? slack : d.slackWebhookUrl ? [d.slackWebhookUrl] : []) add('slack', url);
  for (const url of hooks.length ? hooks : d.webhookUrls) add('webhook', url);
  return out;
}
