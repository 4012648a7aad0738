import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/helpers/wait.js';
import { startHttpReceiver } from '../../testing/receivers.js';
import { alert, startAlerts } from '../../testing/start-alerts.js';
import type { WebhookBody } from './webhook-notifier.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('generic webhook', () => {
  it('posts JSON with the alerts, an idempotency key header that matches the body, to every configured URL', async () => {
    const a = await startHttpReceiver();
    const b = await startHttpReceiver();
    const svc = await startAlerts({ ALERT_WEBHOOK_URL: `${a.url}/one, ${b.url}/two`, ALERTS_GROUP_WAIT_SECONDS: '0.1' });
    cleanups.push(
      () => a.close(),
      () => b.close(),
      () => svc.close(),
    );
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    await svc.post('/api/v2/alerts', [alert({ instance: 'w:1' }, { startsAt, generatorURL: 'http://prom:9090/graph?g0.expr=up' })]);
    await waitFor('a post to each URL', () => a.received.length === 1 && b.received.length === 1);
    const body = a.received[0]!.body as WebhookBody;
    expect(a.received[0]!.headers['idempotency-key']).toBe(body.idempotencyKey);
    expect(body).toMatchObject({ version: '1', kind: 'firing', status: 'firing', group: 'w:1', title: '[CRITICAL] HighCpu on w:1' });
    expect(body.alerts[0]).toMatchObject({
      status: 'firing',
      startsAt: new Date(startsAt).toISOString(),
      generatorURL: 'http://prom:9090/graph?g0.expr=up',
      labels: { alertname: 'HighCpu', instance: 'w:1', severity: 'critical' },
    });

    await svc.post('/api/v2/alerts', [alert({ instance: 'w:1' }, { startsAt, endsAt: new Date().toISOString() })]);
    await waitFor('the resolved post', () => a.received.length === 2);
    const resolved = a.received[1]!.body as WebhookBody;
    expect(resolved).toMatchObject({ kind: 'resolved', status: 'resolved' });
    expect(resolved.idempotencyKey).not.toBe(body.idempotencyKey);
  });
});
