import { createHash } from 'node:crypto';

/** What a notification announces. */
export type NotificationKind = 'firing' | 'repeat' | 'resolved' | 'flapping';

/** One alert inside a notification, as the channels render it. */
export interface NotificationAlert {
  fingerprint: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
  /** Link to the alert in the Vigil dashboard. */
  dashboardURL: string;
}

/** Flap summary: how often the alert changed state while it was held. */
export interface FlapSummary {
  fires: number;
  resolves: number;
  windowSeconds: number;
}

/** Notification is one message about a group of alerts (one instance), for every channel alike. */
export interface Notification {
  kind: NotificationKind;
  /** The grouping key: the instance the alerts are about ("" when they carry none). */
  group: string;
  alerts: NotificationAlert[];
  flap?: FlapSummary;
  /** ISO time the notification was decided. */
  createdAt: string;
}

/**
 * memberKey identifies one alert's part in a notification: fingerprint + state + start time (and the
 * repeat number or flap window), the idempotency key the issue asks for.
 */
export function memberKey(fp: string, status: string, startsAt: string, extra = ''): string {
  return `${fp}:${status}:${startsAt}${extra ? `:${extra}` : ''}`;
}

/** deliveryKey is the idempotency key of one notification to one channel target. */
export function deliveryKey(channel: string, target: string, kind: NotificationKind, members: string[]): string {
  const h = createHash('sha256').update(`${channel}\n${target}\n${kind}\n${[...members].sort().join('\n')}`).digest('hex');
  return `${kind}-${h.slice(0, 32)}`;
}
