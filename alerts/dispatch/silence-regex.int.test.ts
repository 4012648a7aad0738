import { afterEach, describe, expect, it } from 'vitest';
import { startAlertmanager } from '../../test/helpers/alertmanager.js';
import { waitFor } from '../../test/helpers/wait.js';
import { startHttpReceiver } from '../testing/receivers.js';
import { startAlerts, type Body } from '../testing/start-alerts.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('a real Alertmanager silence with a catastrophic regex', () => {
  it('is matched in linear time: the hostile alert is notified, the matching one silenced, and health answers throughout', async () => {
    const am = await startAlertmanager();
    cleanups.push(() => am.stop());
    const now = Date.now();
    const silence = await fetch(`${am.url}/api/v2/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        matchers: [{ name: 'alertname', value: '(a+)+b', isRegex: true, isEqual: true }],
        startsAt: new Date(now).toISOString(),
        endsAt: new Date(now + 3600_000).toISOString(),
        createdBy: 'test',
        comment: 'ReDoS probe',
      }),
    });
    expect(silence.status).toBe(200);
    const { silenceID } = (await silence.json()) as { silenceID: string };

    const hook = await startHttpReceiver();
    cleanups.push(() => hook.close());
    const svc = await startAlerts({
      ALERTMANAGER_URL: am.url,
      ALERT_WEBHOOK_URL: `${hook.url}/hook`,
      ALERTS_GROUP_WAIT_SECONDS: '0.1',
      ALERTS_SILENCE_CACHE_SECONDS: '0',
    });
    cleanups.push(() => svc.close());

    // A backtracking engine needs about 2^40 steps for this name (the audit saw 2.2 s at 26 characters, doubling per character).
    const hostile = `${'a'.repeat(40)}c`;
    const r = await svc.post('/api/v2/alerts', [
      { labels: { alertname: hostile, instance: 'x:1' } },
      { labels: { alertname: 'aaab', instance: 'x:1' } },
    ]);
    expect(r.status).toBe(200);
    // Health keeps answering while the silences are checked; count the answers until the notification is out.
    let healthy = 0;
    await waitFor(
      'the hostile alert at the webhook',
      async () => {
        if ((await fetch(`${svc.url}/-/healthy`)).ok) healthy++;
        return hook.received.some((x) => JSON.stringify(x.body).includes(hostile));
      },
      60_000,
      50,
    );
    expect(healthy).toBeGreaterThan(0);
    const silenced = await waitFor(
      'the matching alert to be marked silenced',
      async () => {
        const list = (await svc.get('/api/v1/alerts')).body.alerts as Body[];
        return list.find((a) => a.labels.alertname === 'aaab' && a.status.silencedBy.length > 0);
      },
      30_000,
    );
    expect(silenced.status.silencedBy).toEqual([silenceID]);
    expect(hook.received.some((x) => JSON.stringify(x.body).includes('"aaab"'))).toBe(false);
  });
});
