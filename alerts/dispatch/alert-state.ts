import type { Alert } from '../alert.js';
import type { HistoryStore, HistoryEventType } from '../history/history-store.js';
import type { NotificationAlert } from '../notify/notification.js';

/** AlertState is what the dispatcher knows about one alert (one fingerprint); it is snapshotted to disk. */
export interface AlertState {
  fingerprint: string;
  alert: Alert;
  status: 'firing' | 'resolved';
  /** The firing notification for this start time has been decided (queued, or suppressed by a silence). */
  notified: boolean;
  /** A firing message actually went out, so a resolved message is owed. */
  announced: boolean;
  /** The resolved message is queued. */
  resolvedNotified: boolean;
  /** Epoch ms of the last firing/repeat notification (or silence check). */
  lastNotifiedAt?: number;
  repeats: number;
  resolvedAt?: number;
  ack?: { by: string; comment: string; at: string };
  silencedBy: string[];
  /** Epoch ms of recent fires and resolves, for flap damping. */
  fires: number[];
  resolves: number[];
  /** Epoch ms when an alert without endsAt is resolved unless re-sent (resolve_timeout). */
  timeoutAt?: number;
  /** Set while the alert is held as flapping; a summary goes out at `summaryAt`. */
  flapping?: { since: number; summaryAt: number };
  /** Set while its notification waits because the silences are unknown: since when (epoch ms), and when to ask again. */
  silencesUnknown?: { since: number; retryAt: number };
}

/** groupOf is the grouping key of an alert: its instance. */
export function groupOf(st: AlertState): string {
  return st.alert.labels.instance ?? '';
}

/** toNotificationAlert renders a state as the channels see it, with its dashboard link. */
export function toNotificationAlert(st: AlertState, dashboardUrl: string): NotificationAlert {
  const a = st.alert;
  const out: NotificationAlert = {
    fingerprint: st.fingerprint,
    status: st.status,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt,
    dashboardURL: `${dashboardUrl}/alerts/${st.fingerprint}`,
  };
  if (st.status === 'resolved') out.endsAt = new Date(st.resolvedAt ?? Date.now()).toISOString();
  if (a.generatorURL) out.generatorURL = a.generatorURL;
  return out;
}

/** recordEvent writes one lifecycle event of an alert to the history. */
export function recordEvent(
  history: HistoryStore,
  st: AlertState,
  event: HistoryEventType,
  extra: { channel?: string; detail?: string } = {},
): void {
  const l = st.alert.labels;
  history.record({
    fingerprint: st.fingerprint,
    event,
    alertname: l.alertname ?? '',
    instance: l.instance ?? '',
    severity: l.severity ?? '',
    ...extra,
  });
}

/** newAlertState is the state of an alert seen for the first time (or firing again). */
export function newAlertState(fp: string, a: Alert, status: AlertState['status'], now: number): AlertState {
  return {
    fingerprint: fp,
    alert: a,
    status,
    notified: false,
    announced: false,
    resolvedNotified: false,
    repeats: 0,
    silencedBy: [],
    fires: [],
    resolves: [],
    ...(status === 'resolved' ? { resolvedAt: now } : {}),
  };
}

/**
 * updateAlert takes the newest labels, annotations and end time but keeps the start time (the identity
 * of this firing) and the api source: the same alert coming back through Alertmanager's webhook must
 * not stop its re-sending to Alertmanager.
 */
export function updateAlert(old: Alert, a: Alert): Alert {
  return {
    ...a,
    startsAt: old.startsAt,
    source: old.source === 'api' ? 'api' : a.source,
    actions: a.actions.length ? a.actions : old.actions,
  };
}
