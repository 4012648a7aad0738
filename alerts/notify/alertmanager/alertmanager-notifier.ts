import type { AlertmanagerAlert } from '../../../common/alerting/index.js';
import { postJson, type Delivery, type Notifier, type NotifyResult } from '../notifier.js';

/**
 * AlertmanagerNotifier forwards alerts unchanged to one Alertmanager. A firing alert without an end
 * gets `endsAt` = now + 4 × the re-send interval, as Prometheus does, so that Alertmanager resolves it
 * by itself if Vigil stops re-sending; a resolved alert carries its real `endsAt`.
 */
export class AlertmanagerNotifier implements Notifier<AlertmanagerAlert[]> {
  readonly channel = 'alertmanager' as const;

  constructor(private readonly resendIntervalSeconds: number) {}

  /** notify posts the alerts to `<target>/api/v2/alerts`. */
  notify(d: Delivery<AlertmanagerAlert[]>): Promise<NotifyResult> {
    const endsAt = new Date(Date.now() + 4 * this.resendIntervalSeconds * 1000).toISOString();
    const body = d.payload.map((a) => (a.endsAt ? a : { ...a, endsAt }));
    return postJson(`${d.target}/api/v2/alerts`, body, {});
  }
}
