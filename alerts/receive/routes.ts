import type { Express, Request, Response } from 'express';
import type { Logger } from '../../common/logger.js';
import type { Alert } from '../alert.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { Journal } from '../dispatch/journal.js';
import type { AlertsMetrics } from '../metrics.js';
import { describeTarget, type DestinationPolicy } from './destinations.js';
import { parsePostableAlerts, parseWebhookPayload } from './schema.js';

/** What the receive routes need. */
export interface ReceiveDeps {
  journal: Journal;
  dispatcher: Dispatcher;
  metrics: AlertsMetrics;
  /** Which actions may be carried out; the others are dropped here and counted. */
  destinations: DestinationPolicy;
  logger: Logger;
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
    const refused = d.destinations.filter(alerts);
    if (refused.length) {
      for (const a of refused) d.metrics.actionsRefused.inc({ channel: a.type });
      d.logger.warn(
        { source, refused: refused.map((a) => `${a.type} ${describeTarget(a)}`).slice(0, 10) },
        'dropped alert actions whose destination is neither configured nor allow-listed (ALERTS_EMAIL_ALLOWLIST, ALERTS_WEBHOOK_ALLOWLIST); those alerts go to the configured defaults',
      );
    }
    if (alerts.length) {
      await d.journal.append({ t: 'alerts', at: now.getTime(), alerts }, () => d.dispatcher.ingest(alerts, now.getTime()));
      d.metrics.received.inc({ source }, alerts.length);
    }
    res.status(200).json({ status: 'success', accepted: alerts.length, ...(refused.length ? { refusedActions: refused.length } : {}) });
  };
  app.post('/api/v2/alerts', accept('api', parsePostableAlerts));
  app.post('/api/v1/alertmanager-webhook', accept('alertmanager', parseWebhookPayload));
}
