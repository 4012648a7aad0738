import type { Notification } from '../notification.js';
import { subject } from '../describe.js';
import { postJson, type Delivery, type Notifier, type NotifyResult } from '../notifier.js';

/** The JSON body a generic webhook receives. */
export interface WebhookBody {
  version: '1';
  idempotencyKey: string;
  kind: Notification['kind'];
  status: 'firing' | 'resolved';
  title: string;
  group: string;
  alerts: Notification['alerts'];
  flap?: Notification['flap'];
  createdAt: string;
}

/** webhookBody is the generic webhook's payload for a notification. */
export function webhookBody(n: Notification, key: string): WebhookBody {
  const body: WebhookBody = {
    version: '1',
    idempotencyKey: key,
    kind: n.kind,
    status: n.kind === 'resolved' ? 'resolved' : 'firing',
    title: subject(n),
    group: n.group,
    alerts: n.alerts,
    createdAt: n.createdAt,
  };
  if (n.flap) body.flap = n.flap;
  return body;
}

/** WebhookNotifier POSTs notifications as JSON, with an `Idempotency-Key` header. */
export class WebhookNotifier implements Notifier<Notification> {
  readonly channel = 'webhook' as const;

  /** notify posts the body; 5xx, 429 and transport errors are retried, other 4xx are not. */
  notify(d: Delivery<Notification>): Promise<NotifyResult> {
    return postJson(d.target, webhookBody(d.payload, d.key), { 'Idempotency-Key': d.key });
  }
}
