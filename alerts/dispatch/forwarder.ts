import { randomUUID } from 'node:crypto';
import type { AlertmanagerAlert } from '../../common/alerting/index.js';
import type { Logger } from '../../common/logger.js';
import { fingerprint, type Alert } from '../alert.js';
import type { Outbox } from '../outbox/outbox.js';

/**
 * Forwarder hands alerts to every Alertmanager in `ALERTMANAGER_URL` through the outbox, one entry per
 * batch and Alertmanager, so one that is down delays only its own copy. Re-sending is harmless
 * (Alertmanager merges by fingerprint), so these entries are not idempotent.
 */
export class Forwarder {
  constructor(
    private readonly urls: string[],
    private readonly outbox: Outbox,
    private readonly logger: Logger,
  ) {}

  /** enabled is true when there is an Alertmanager to forward to. */
  get enabled(): boolean {
    return this.urls.length > 0;
  }

  /** forward queues the alerts, unchanged, for every Alertmanager. */
  async forward(alerts: Alert[]): Promise<void> {
    const payload: AlertmanagerAlert[] = alerts.map((a) => ({
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt,
      ...(a.endsAt ? { endsAt: a.endsAt } : {}),
      ...(a.generatorURL ? { generatorURL: a.generatorURL } : {}),
    }));
    const fingerprints = alerts.map((a) => fingerprint(a.labels));
    for (const url of this.urls) {
      try {
        await this.outbox.enqueue({
          channel: 'alertmanager',
          target: url,
          key: `am-${randomUUID()}`,
          idempotent: false,
          payload,
          fingerprints,
        });
      } catch (err) {
        this.logger.error({ err }, 'could not queue forwarding to Alertmanager');
      }
    }
  }
}
