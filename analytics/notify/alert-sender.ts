import axios, { type AxiosInstance } from 'axios';
import type { Logger } from '../../common/logger.js';
import type { AnalyticsMetrics } from '../metrics.js';
import type { PostableAlert } from '../../common/alerting/index.js';
import type { AlertNotifier } from '../rules/alert-notifier.js';
import { toPostableAlert } from './alert-payload.js';

/**
 * AlertSender posts alerts to `<ALERTS_URL>/api/v2/alerts` — the alerts service, or Alertmanager
 * itself, which accepts the same body. A failed post is not retried here: the engine keeps the alerts
 * marked unsent and offers them again at the rule's next evaluation, as Prometheus's notifier does.
 */
export class AlertSender {
  private readonly http: AxiosInstance;
  private lastFailureLogged = 0;

  /** `token` (DASHBOARD_TOKEN) is sent as a bearer token: the alerts service requires it on its receiving routes when set. */
  constructor(
    private readonly alertsUrl: string,
    private readonly metrics: AnalyticsMetrics,
    private readonly log: Logger,
    opts: { timeoutMs?: number; token?: string } = {},
  ) {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    this.http = axios.create({ baseURL: alertsUrl, timeout: opts.timeoutMs ?? 10_000, validateStatus: () => true, headers });
  }

  /** send posts one batch; true when the receiver accepted it (2xx). */
  async send(batch: Array<{ alert: PostableAlert; phase: 'firing' | 'resolved' }>): Promise<boolean> {
    if (batch.length === 0) return true;
    const alerts = batch.map((b) => b.alert);
    let problem: string;
    try {
      const res = await this.http.post('/api/v2/alerts', alerts);
      if (res.status >= 200 && res.status < 300) {
        this.metrics.notifications.inc({ result: 'success' });
        for (const b of batch) this.metrics.notifiedAlerts.inc({ state: b.phase });
        return true;
      }
      problem = `HTTP ${res.status}: ${typeof res.data === 'string' ? res.data.slice(0, 300) : JSON.stringify(res.data).slice(0, 300)}`;
    } catch (err) {
      problem = (err as Error).message;
    }
    this.metrics.notifications.inc({ result: 'failure' });
    // One line a minute at most while the receiver is down.
    if (Date.now() - this.lastFailureLogged > 60_000) {
      this.lastFailureLogged = Date.now();
      this.log.warn(
        { url: `${this.alertsUrl}/api/v2/alerts`, problem, alerts: alerts.length },
        'cannot deliver alerts; they will be offered again at the next evaluation',
      );
    }
    return false;
  }
}

/**
 * ruleNotifier is the rule engine's AlertNotifier: it renders a rule's due alerts for
 * `POST /api/v2/alerts` (links back to the dashboard at `dashboardUrl`) and posts them with `sender`.
 */
export function ruleNotifier(sender: AlertSender, dashboardUrl: string): AlertNotifier {
  return {
    notify: (rule, due, at) =>
      sender.send(due.map((s) => ({ alert: toPostableAlert(rule, s, { dashboardUrl, ...at }), phase: s.phase as 'firing' | 'resolved' }))),
  };
}
