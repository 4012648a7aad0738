import { afterEach, describe, expect, it } from 'vitest';
import { startAlertmanager } from '../../test/helpers/alertmanager.js';
import { sleep, waitFor } from '../../test/helpers/wait.js';
import { startSmtpSink } from '../testing/receivers.js';
import { startAlerts } from '../testing/start-alerts.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('alerts routed through a real Alertmanager to the webhook endpoint', () => {
  it('get the same rich email, with recipients from vigil_actions, and are not forwarded back', async () => {
    const smtp = await startSmtpSink();
    cleanups.push(() => smtp.close());
    // The alerts service starts first (on a free port); Alertmanager then gets its webhook URL.
    const svc = await startAlerts({ SMTP_HOST: '127.0.0.1', SMTP_PORT: String(smtp.port), ALERT_EMAIL_TO: 'fallback@example.com', ALERTS_EMAIL_ALLOWLIST: 'example.com', ALERTS_GROUP_WAIT_SECONDS: '0.1' });
    cleanups.push(() => svc.close());
    const am = await startAlertmanager({
      route: { receiver: 'vigil', group_wait: '0s', group_interval: '1s', repeat_interval: '1h' },
      receivers: [{ name: 'vigil', webhook_configs: [{ url: `${svc.url}/api/v1/alertmanager-webhook`, send_resolved: true }] }],
    });
    cleanups.push(() => am.stop());
    // What Prometheus (or analytics) would post to Alertmanager.
    const startsAt = new Date(Date.now() - 600_000).toISOString();
    const labels = { alertname: 'InstanceDown', severity: 'critical', instance: 'api-3:9101', job: 'agent' };
    const annotations = { summary: 'api-3:9101 is down', vigil_actions: JSON.stringify([{ type: 'email', value: 'oncall@example.com' }]) };
    const r = await fetch(`${am.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ labels, annotations, startsAt }]) });
    expect(r.status).toBe(200);
    const mail = await waitFor('the email from the webhook path', () => smtp.mails.find((m) => m.parsed.subject === '[CRITICAL] InstanceDown on api-3:9101'), 30_000);
    expect((mail.parsed.to as { text: string }).text).toBe('oncall@example.com');
    expect(String(mail.parsed.html)).toContain('api-3:9101 is down');
    const received = await svc.registry.getSingleMetricAsString('vigil_alerts_received_total');
    expect(received).toMatch(/source="alertmanager"\} [1-9]/);

    await fetch(`${am.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ labels, annotations, startsAt, endsAt: new Date().toISOString() }]) });
    const resolved = await waitFor('the resolved email', () => smtp.mails.find((m) => m.parsed.subject?.startsWith('[RESOLVED] InstanceDown on api-3:9101')), 30_000);
    expect(resolved.parsed.subject).toMatch(/after 10 min/);
    await sleep(500);
    expect(smtp.mails).toHaveLength(2);
    expect(await svc.registry.getSingleMetricAsString('vigil_alerts_notifications_sent_total')).not.toContain('channel="alertmanager"} 1');
  });
});
