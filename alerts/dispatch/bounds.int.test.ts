import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/helpers/wait.js';
import { startHttpReceiver } from '../testing/receivers.js';
import { alert, startAlerts } from '../testing/start-alerts.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const counter = async (svc: { registry: { getSingleMetricAsString(n: string): Promise<string> } }, name: string, labels: string) =>
  Number(
    new RegExp(labels ? `${name}\\{${labels}\\} (\\d+)` : `${name} (\\d+)`).exec(await svc.registry.getSingleMetricAsString(name))?.[1] ??
      0,
  );

describe('bounds', () => {
  it('resolves a firing alert without endsAt after ALERTS_RESOLVE_TIMEOUT_SECONDS unless it is re-sent, and sends the resolved message', async () => {
    const hook = await startHttpReceiver();
    cleanups.push(() => hook.close());
    const svc = await startAlerts({
      ALERT_WEBHOOK_URL: `${hook.url}/hook`,
      ALERTS_GROUP_WAIT_SECONDS: '0.1',
      ALERTS_RESOLVE_TIMEOUT_SECONDS: '2',
    });
    cleanups.push(() => svc.close());
    expect((await svc.post('/api/v2/alerts', [alert({ instance: 'quiet' }), alert({ instance: 'chatty' })])).status).toBe(200);
    // "chatty" is re-sent every 0.5 s, as Prometheus re-sends firing alerts; "quiet" is not.
    const resend = setInterval(() => {
      svc.post('/api/v2/alerts', [alert({ instance: 'chatty' })]).catch(() => undefined);
    }, 500);
    cleanups.push(async () => clearInterval(resend));
    const resolved = await waitFor(
      'the quiet alert to resolve',
      async () => {
        const r = await svc.get('/api/v1/alerts?state=resolved');
        return r.body.alerts.length ? r.body.alerts : undefined;
      },
      30_000,
    );
    expect(resolved.map((a: { labels: { instance: string } }) => a.labels.instance)).toEqual(['quiet']);
    expect(
      (await svc.get('/api/v1/alerts?state=firing')).body.alerts.map((a: { labels: { instance: string } }) => a.labels.instance),
    ).toEqual(['chatty']);
    await waitFor(
      'the resolved message',
      () => hook.received.some((r) => JSON.stringify(r.body).includes('"resolved"') && JSON.stringify(r.body).includes('quiet')),
      30_000,
    );
  });

  it('keeps at most ALERTS_MAX_RESOLVED resolved alerts and ALERTS_DEAD_LETTER_MAX dead letters', async () => {
    const hook = await startHttpReceiver();
    hook.status = 400; // refused for good: straight to the dead-letter list
    cleanups.push(() => hook.close());
    const svc = await startAlerts({
      ALERT_WEBHOOK_URL: `${hook.url}/hook`,
      ALERTS_GROUP_WAIT_SECONDS: '0.1',
      ALERTS_MAX_RESOLVED: '5',
      ALERTS_DEAD_LETTER_MAX: '3',
    });
    cleanups.push(() => svc.close());
    const past = new Date(Date.now() - 60_000).toISOString();
    expect(
      (
        await svc.post(
          '/api/v2/alerts',
          Array.from({ length: 20 }, (_, i) => alert({ instance: `gone-${i}` }, { startsAt: past, endsAt: past })),
        )
      ).status,
    ).toBe(200);
    await waitFor(
      'the resolved alerts to be pruned to 5',
      async () => (await svc.get('/api/v1/alerts?state=resolved')).body.alerts.length === 5,
      30_000,
    );
    expect(
      (
        await svc.post(
          '/api/v2/alerts',
          Array.from({ length: 10 }, (_, i) => alert({ instance: `dead-${i}` })),
        )
      ).status,
    ).toBe(200);
    await waitFor(
      '10 dead-lettered',
      async () => (await counter(svc, 'vigil_alerts_notifications_dead_lettered_total', 'channel="webhook"')) >= 10,
      30_000,
    );
    await waitFor('3 dead letters kept', async () => (await svc.get('/api/v1/outbox/dead-letters')).body.deadLetters.length === 3, 30_000);
    await waitFor('3 dead-letter files', async () => (await readdir(join(svc.dir, 'alerts', 'outbox', 'dead'))).length === 3, 30_000);
  });

  it('does not rewrite state.json when nothing changed', async () => {
    const svc = await startAlerts({ ALERTS_GROUP_WAIT_SECONDS: '0.1', ALERTS_SNAPSHOT_INTERVAL_SECONDS: '1' });
    cleanups.push(() => svc.close());
    expect((await svc.post('/api/v2/alerts', [alert({ instance: 'still' })])).status).toBe(200);
    await waitFor(
      'a snapshot with the alert',
      async () =>
        (await counter(svc, 'vigil_alerts_journal_records', '')) === 0 &&
        (await counter(svc, 'vigil_alerts_snapshots_total', 'result="written"')) >= 2,
      30_000,
    );
    const path = join(svc.dir, 'alerts', 'state.json');
    const before = (await stat(path)).mtimeMs;
    const unchanged = await counter(svc, 'vigil_alerts_snapshots_total', 'result="unchanged"');
    await waitFor(
      'two more snapshot checks',
      async () => (await counter(svc, 'vigil_alerts_snapshots_total', 'result="unchanged"')) >= unchanged + 2,
      30_000,
    );
    expect((await stat(path)).mtimeMs).toBe(before);
  });
});
