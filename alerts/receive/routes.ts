import type { Express, Request, Response } from 'express';
import type { Alert } from '../alert.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { Journal } from '../dispatch/journal.js';
import type { AlertsMetrics } from '../metrics.js';
import { parsePostableAlerts, parseWebhookPayload } from './schema.js';

/** What the receive routes need. */
export interface ReceiveDeps {
  journal: Journal;
  dispatcher: Dispatcher;
  metrics: AlertsMetrics;
}

/**
 * receiveRoutes adds the two ways in: `POST /api/v2/alerts` (Alertmanager's API v2, as analytics and
 * Prometheus send) and `POST /api/v1/alertmanager-webhook` (Alertmanager's webhook). A payload is
 * validated whole, then journalled (fsynced) before the 2xx, so an accepted alert survives `kill -9`.
 */
export function receiveRoutes(app: Express, d: ReceiveDeps): void {
  const accept = (source: 'api' | 'alertmanager', parse: (body: unknown, now: Date) => Alert[]) => async (req: Request, res: Response) => {
    const now = new Date();
    let alerts: Alert[];
    try {
      alerts = parse(req.body, now);
    } catch (err) {
      d.metrics.rejected.inc({ source });
      throw err;
    }
    if (alerts.length) {
      await d.journal.append({ t: 'alerts', at: now.getTime(), alerts }, () => d.dispatcher.ingest(alerts, now.getTime()));
      d.metrics.received.inc({ source }, alerts.length);
    }
    res.status(200).json({ status: 'success', accepted: alerts.length });
  };
  app.post('/api/v2/alerts', accept('api', parsePostableAlerts));
  app.post('/api/v1/alertmanager-webhook', accept('alertmanager', parseWebhookPayload));
}
