import { afterEach, describe, expect, it } from 'vitest';
import { startAlertmanager } from '../../test/helpers/alertmanager.js';
import { waitFor } from '../../test/helpers/wait.js';
import { startSmtpSink } from '../testing/receivers.js';
import { startAlerts, type TestAlerts } from '../testing/start-alerts.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('alerts routed through a real Alertmanager to the webhook endpoint', () => {
  it('get the same rich email, with recipients from vigil_actions, and are not forwarded back', async () => {
    const smtp = await startSmtpSink();
    cleanups.push(() => smtp.close());
    // Alertmanager starts first, so that the alerts service can forward to it (ALERTMANAGER_URL): forwarding
    // back is possible, and the test shows it does not happen. Re-sends of firing alerts are out of the way.
    const am = await startAlertmanager();
    cleanups.push(() => am.stop());
    const svc = await startAlerts({
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      ALERT_EMAIL_TO: 'fallback@example.com',
      ALERTS_EMAIL_ALLOWLIST: 'example.com',
      ALERTS_GROUP_WAIT_SECONDS: '0.1',
      ALERTMANAGER_URL: am.url,
      ALERTS_FORWARD_RESEND_SECONDS: '3600',
    });
    cleanups.push(() => svc.close());
    // Then Alertmanager gets the service's webhook URL; the probe alert (below) goes nowhere from Alertmanager.
    await am.reload({
      route: {
        receiver: 'vigil',
        group_wait: '0s',
        group_interval: '1s',
        repeat_interval: '1h',
        routes: [{ receiver: 'null', matchers: ['alertname="ForwardProbe"'] }],
      },
      receivers: [
        { name: 'vigil', webhook_configs: [{ url: `${svc.url}/api/v1/alertmanager-webhook`, send_resolved: true }] },
        { name: 'null' },
      ],
    });
    // What Prometheus (or analytics) would post to Alertmanager.
    const startsAt = new Date(Date.now() - 600_000).toISOString();
    const labels = { alertname: 'InstanceDown', severity: 'critical', instance: 'api-3:9101', job: 'agent' };
    const annotations = { summary: 'api-3:9101 is down', vigil_actions: JSON.stringify([{ type: 'email', value: 'oncall@example.com' }]) };
    const r = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels, annotations, startsAt }]),
    });
    expect(r.status).toBe(200);
    const mail = await waitFor(
      'the email from the webhook path',
      () => smtp.mails.find((m) => m.parsed.subject === '[CRITICAL] InstanceDown on api-3:9101'),
      30_000,
    );
    expect((mail.parsed.to as { text: string }).text).toBe('oncall@example.com');
    expect(String(mail.parsed.html)).toContain('api-3:9101 is down');
    expect(await sample(svc, 'vigil_alerts_received_total', 'source="alertmanager"')).toBeGreaterThanOrEqual(1);

    await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels, annotations, startsAt, endsAt: new Date().toISOString() }]),
    });
    const resolved = await waitFor(
      'the resolved email',
      () => smtp.mails.find((m) => m.parsed.subject?.startsWith('[RESOLVED] InstanceDown on api-3:9101')),
      30_000,
    );
    expect(resolved.parsed.subject).toMatch(/after 10 min/);

    // The probe: an alert posted to the service itself is forwarded to Alertmanager (and emailed). Both were
    // queued after everything the InstanceDown alert caused, so once the probe is in Alertmanager, its email
    // has arrived and no Alertmanager delivery is pending, anything InstanceDown had queued has gone too.
    const probe = await svc.post('/api/v2/alerts', [
      { labels: { alertname: 'ForwardProbe', severity: 'info', instance: 'probe:1' }, annotations: { summary: 'probe' } },
    ]);
    expect(probe.status).toBe(200);
    await waitFor('the probe in Alertmanager', async () => (await am.alerts()).some((a) => a.labels.alertname === 'ForwardProbe'), 30_000);
    await waitFor('the probe email', () => smtp.mails.some((m) => m.parsed.subject?.includes('ForwardProbe')), 30_000);
    await waitFor(
      'no pending Alertmanager delivery',
      async () => (await sample(svc, 'vigil_alerts_outbox_pending', 'channel="alertmanager"')) === 0,
    );
    // Exactly one forward (the probe): the webhook's firing and resolved InstanceDown were not sent back.
    expect(await sample(svc, 'vigil_alerts_notifications_sent_total', 'channel="alertmanager"')).toBe(1);
    expect(await sample(svc, 'vigil_alerts_notifications_failed_total', 'channel="alertmanager"')).toBe(0);
    expect(smtp.mails.filter((m) => m.parsed.subject?.includes('InstanceDown')).map((m) => m.parsed.subject)).toEqual([
      '[CRITICAL] InstanceDown on api-3:9101',
      resolved.parsed.subject,
    ]);
  });
});

/** sample reads one sample of a metric from the service's registry: the sum over series whose labels contain `match`, 0 if none. */
async function sample(svc: TestAlerts, name: string, match: string): Promise<number> {
  const text = await svc.registry.getSingleMetricAsString(name);
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^(\S+?)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === name && (m[2] ?? '').includes(match)) sum += Number(m[3]);
  }
  return sum;
}
