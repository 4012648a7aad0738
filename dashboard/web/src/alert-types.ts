/** Shapes of the alerts service's API as the dashboard proxies it (`/api/alerts/v1/*`, see alerts/api/routes.ts). */

/** An alert as `GET /api/v1/alerts` serves it. */
export interface AlertView {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string | null;
  generatorURL: string | null;
  dashboardURL: string;
  status: {
    state: 'firing' | 'resolved';
    silencedBy: string[];
    acked: { by: string; comment: string; at: string } | null;
    flapping: boolean;
  };
  notified: boolean;
  lastNotifiedAt: string | null;
  repeats: number;
}

/** One lifecycle event. */
export interface HistoryEvent {
  at: string;
  fingerprint: string;
  event: string;
  alertname: string;
  instance: string;
  severity: string;
  channel?: string;
  detail?: string;
}

/** A page of history, newest first. */
export interface HistoryPage {
  events: HistoryEvent[];
  page: number;
  limit: number;
  total: number;
  nextPage: number | null;
}

/** alertState gives an alert's displayed state and colour. */
export function alertState(a: AlertView): { cls: string; text: string } {
  if (a.status.state === 'resolved') return { cls: 'green', text: 'RESOLVED' };
  if (a.status.silencedBy.length) return { cls: 'grey', text: 'SILENCED' };
  if (a.status.acked) return { cls: 'amber', text: 'ACKNOWLEDGED' };
  return { cls: 'red', text: 'FIRING' };
}

/** severityClass colours a severity. */
export function severityClass(s: string | undefined): string {
  return s === 'critical' ? 'red' : s === 'warning' ? 'amber' : 'grey';
}
