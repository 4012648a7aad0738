/**
 * What the dispatcher hands every channel: a notification about a group of alerts. It lives with the
 * channels (the lower stage), so that dispatch imports notify and never the other way round.
 */
import type { AlertmanagerAlert } from '../../common/alerting/index.js';

/** What a notification announces. */
export type NotificationKind = 'firing' | 'repeat' | 'resolved' | 'flapping';

/** One alert inside a notification, as the channels render it. */
export interface NotificationAlert extends AlertmanagerAlert {
  fingerprint: string;
  status: 'firing' | 'resolved';
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
