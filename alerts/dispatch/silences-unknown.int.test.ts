import { afterEach, describe, expect, it } from 'vitest';
import { startAlertmanager } from '../../test/helpers/alertmanager.js';
import { startCountingProxy } from '../../test/helpers/counting-proxy.js';
import { freePort } from '../../test/helpers/ports.js';
import { waitFor } from '../../test/helpers/wait.js';
import { logLines } from '../testing/log-lines.js';
import { startHttpReceiver, type Received } from '../testing/receivers.js';
import { alert, startAlerts, type Body, type TestAlerts } from '../testing/start-alerts.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function lookupFailures(svc: TestAlerts): Promise<number> {
  const text = await svc.registry.getSingleMetricAsString('vigil_alerts_silence_lookup_failures_total');
  return Number(/^vigil_alerts_silence_lookup_failures_total (\d+)$/m.exec(text)?.[1] ?? NaN);
}

/** The alert names a webhook delivery was about. */
const namesIn = (r: Received[]) =>
  r.flatMap((x) => ((x.body as Body).alerts as Array<{ labels: Record<string, string> }>).map((a) => a.labels.alertname));

describe('while Alertmanager cannot be asked for silences', () => {
  it('holds notifications and asks again: once it answers, the silenced alert stays silent and the other one goes out', async () => {
    const am = await startAlertmanager();
    cleanups.push(() => am.stop());
    const now = Date.now();
    const created = await fetch(`${am.url}/api/v2/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        matchers: [{ name: 'alertname', value: 'Muted', isRegex: false, isEqual: true }],
        startsAt: new Date(now).toISOString(),
        endsAt: new Date(now + 3600_000).toISOString(),
        createdBy: 'test',
        comment: 'maintenance',
      }),
    });
    expect(created.status).toBe(200);
    const { silenceID } = (await created.json()) as { silenceID: string };

    // The address the service is given has nothing listening yet: every silence lookup fails (ECONNREFUSED).
    const port = await freePort();
    const hook = await startHttpReceiver();
    cleanups.push(() => hook.close());
    const log = logLines();
    const svc = await startAlerts(
      {
        ALERTMANAGER_URL: `http://127.0.0.1:${port}`,
        ALERT_WEBHOOK_URL: `${hook.url}/hook`,
        ALERTS_GROUP_WAIT_SECONDS: '0.05',
        ALERTS_SILENCE_CACHE_SECONDS: '0',
      },
      {
        logger: log.logger,
        configure: (c) => {
          c.silenceRetryInterval = 0.2;
        },
      },
    );
    cleanups.push(() => svc.close());
    expect(
      (await svc.post('/api/v2/alerts', [alert({ alertname: 'Muted', instance: 'a:1' }), alert({ alertname: 'Loud', instance: 'b:1' })]))
        .status,
    ).toBe(200);

    // Both alerts are asked about, held, and asked about again several times: nothing is notified meanwhile.
    await waitFor('repeated failed silence lookups', async () => (await lookupFailures(svc)) >= 6);
    expect(hook.received).toHaveLength(0);
    const held = log.matching('holding the notification');
    expect(held.map((l) => l.alertname).sort()).toEqual(['Loud', 'Muted']);
    expect(held.every((l) => l.level === 40)).toBe(true); // warn
    const states = (await svc.get('/api/v1/alerts')).body.alerts as Array<{ labels: Record<string, string>; notified: boolean }>;
    expect(states.map((s) => s.notified)).toEqual([false, false]);

    // Alertmanager comes back at that address.
    const proxy = await startCountingProxy(am.url, port);
    cleanups.push(() => proxy.stop());
    await waitFor('the unsilenced alert delivered', () => namesIn(hook.received).includes('Loud'));
    const muted = await waitFor('the silenced alert decided', async () => {
      const list = (await svc.get('/api/v1/alerts')).body.alerts as Array<{
        labels: Record<string, string>;
        notified: boolean;
        status: { silencedBy: string[] };
      }>;
      return list.find((a) => a.labels.alertname === 'Muted' && a.status.silencedBy.length > 0);
    });
    expect(muted.status.silencedBy).toEqual([silenceID]);
    expect(muted.notified).toBe(false);
    // The decision to silence is the same step that would have queued its delivery: none was queued.
    expect((await svc.get('/api/v1/outbox')).body.pending.filter((e: Body) => e.channel === 'webhook')).toEqual([]);
    expect(namesIn(hook.received)).toEqual(['Loud']);
    expect(log.matching('silences known again')).toHaveLength(2);
  });

  it('notifies as not silenced once the longest hold has passed, so that an Alertmanager that stays down hides nothing', async () => {
    const port = await freePort();
    const hook = await startHttpReceiver();
    cleanups.push(() => hook.close());
    const log = logLines();
    const svc = await startAlerts(
      {
        ALERTMANAGER_URL: `http://127.0.0.1:${port}`,
        ALERT_WEBHOOK_URL: `${hook.url}/hook`,
        ALERTS_GROUP_WAIT_SECONDS: '0.05',
        ALERTS_SILENCE_CACHE_SECONDS: '0',
      },
      {
        logger: log.logger,
        configure: (c) => {
          c.silenceRetryInterval = 0.1;
          c.silencesUnknownMaxHold = 1;
        },
      },
    );
    cleanups.push(() => svc.close());
    await svc.post('/api/v2/alerts', [alert({ alertname: 'Loud', instance: 'b:1' })]);
    await waitFor('the held alert delivered', () => hook.received.length >= 1);
    expect(namesIn(hook.received)).toEqual(['Loud']);
    const gaveUp = log.matching('silences still unknown after the longest hold');
    expect(gaveUp).toHaveLength(1);
    expect(gaveUp[0]!.level).toBe(50); // error
    expect(gaveUp[0]!.heldSeconds).toBeGreaterThanOrEqual(1);
    expect(await lookupFailures(svc)).toBeGreaterThanOrEqual(3);
  });
});
