import { afterEach, describe, expect, it } from 'vitest';
import { sleep, waitFor } from '../../test/helpers/wait.js';
import { startHttpReceiver, type HttpReceiver } from '../testing/receivers.js';
import { alert, startAlerts, type TestAlerts } from '../testing/start-alerts.js';
import type { WebhookBody } from '../notify/webhook/webhook-notifier.js';

// Timelines in the manner of Alertmanager's acceptance tests, through a real HTTP webhook receiver.
// Timings are short and configurable; assertions are on order and counts, never on wall-clock time.

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(env: Record<string, string>): Promise<{ svc: TestAlerts; hook: HttpReceiver; bodies: () => WebhookBody[] }> {
  const hook = await startHttpReceiver();
  const svc = await startAlerts({ ALERT_WEBHOOK_URL: `${hook.url}/hook`, ...env });
  cleanups.push(() => hook.close(), () => svc.close());
  return { svc, hook, bodies: () => hook.received.map((r) => r.body as WebhookBody) };
}

const iso = (msAgo = 0) => new Date(Date.now() - msAgo).toISOString();

describe('alert timelines', () => {
  it('groups alerts that arrive together for one instance into one message', async () => {
    const { svc, bodies } = await setup({ ALERTS_GROUP_WAIT_SECONDS: '1' });
    await svc.post('/api/v2/alerts', [alert({ instance: 'a:1', alertname: 'HighCpu' })]);
    await svc.post('/api/v2/alerts', [alert({ instance: 'a:1', alertname: 'HighMemory' }), alert({ instance: 'b:1', alertname: 'HighCpu' })]);
    await waitFor('two grouped messages', () => bodies().length >= 2);
    await sleep(1500);
    const b = bodies();
    expect(b).toHaveLength(2);
    const a = b.find((x) => x.group === 'a:1')!;
    expect(a.kind).toBe('firing');
    expect(a.alerts.map((x) => x.labels.alertname).sort()).toEqual(['HighCpu', 'HighMemory']);
    expect(b.find((x) => x.group === 'b:1')!.alerts).toHaveLength(1);
  });

  it('repeats a firing alert; an ack stops repeats until it resolves and fires again', async () => {
    const { svc, bodies } = await setup({ ALERTS_GROUP_WAIT_SECONDS: '0.1', ALERTS_REPEAT_INTERVAL_SECONDS: '1' });
    const labels = { instance: 'r:1', alertname: 'DiskFull' };
    const first = iso(1000);
    await svc.post('/api/v2/alerts', [alert(labels, { startsAt: first })]);
    await waitFor('the first message and two repeats', () => bodies().filter((b) => b.kind === 'repeat').length >= 2, 20_000);
    expect(bodies()[0]!.kind).toBe('firing');
    const fp = bodies()[0]!.alerts[0]!.fingerprint;

    const ack = await svc.post(`/api/v1/alerts/${fp}/ack`, { by: 'alice', comment: 'looking at it' });
    expect(ack.status).toBe(200);
    expect(ack.body.alert.status.acked.by).toBe('alice');
    await sleep(300); // a repeat already queued when the ack landed may still arrive
    const afterAck = bodies().length;
    await sleep(3500);
    expect(bodies().length).toBe(afterAck);

    await svc.post('/api/v2/alerts', [alert(labels, { startsAt: first, endsAt: iso() })]);
    await waitFor('the resolved message', () => bodies().some((b) => b.kind === 'resolved'));
    await svc.post('/api/v2/alerts', [alert(labels, { startsAt: iso() })]);
    await waitFor('a new firing message and repeats again', () => bodies().filter((b) => b.kind === 'firing').length === 2 && bodies().at(-1)!.kind === 'repeat', 20_000);
    const history = await svc.get(`/api/v1/alerts/history?fingerprint=${fp}&limit=1000`);
    const events = (history.body.events as Array<{ event: string }>).map((e) => e.event).reverse();
    expect(events.slice(0, 2)).toEqual(['fired', 'notified']);
    expect(events).toContain('repeated');
    expect(events.indexOf('acked')).toBeLessThan(events.indexOf('resolved'));
  });

  it('sends resolved at once, ahead of a new alert still in its group wait', async () => {
    const { svc, bodies } = await setup({ ALERTS_GROUP_WAIT_SECONDS: '2' });
    const startsAt = iso(5000);
    await svc.post('/api/v2/alerts', [alert({ instance: 'p:1', alertname: 'A' }, { startsAt })]);
    await waitFor('the firing message for A', () => bodies().length === 1, 20_000);
    await svc.post('/api/v2/alerts', [alert({ instance: 'p:1', alertname: 'B' })]);
    await svc.post('/api/v2/alerts', [alert({ instance: 'p:1', alertname: 'A' }, { startsAt, endsAt: iso() })]);
    await waitFor('resolved A and firing B', () => bodies().length === 3, 20_000);
    const [, second, third] = bodies();
    expect(second!.kind).toBe('resolved');
    expect(second!.alerts[0]!.labels.alertname).toBe('A');
    expect(third!.kind).toBe('firing');
    expect(third!.alerts[0]!.labels.alertname).toBe('B');
  });

  it('does not drop an alert that fires and resolves within its group wait: one resolved message', async () => {
    const { svc, bodies } = await setup({ ALERTS_GROUP_WAIT_SECONDS: '1' });
    const startsAt = iso(3000);
    await svc.post('/api/v2/alerts', [alert({ instance: 'blip:1', alertname: 'Blip' }, { startsAt })]);
    await svc.post('/api/v2/alerts', [alert({ instance: 'blip:1', alertname: 'Blip' }, { startsAt, endsAt: iso() })]);
    await waitFor('the resolved message', () => bodies().length >= 1);
    await sleep(1500);
    expect(bodies().map((b) => b.kind)).toEqual(['resolved']);
    expect(bodies()[0]!.title).toMatch(/^\[RESOLVED\] Blip on blip:1 after \d+ s$/);
  });

  it('holds a flapping alert and sends one summary instead of a storm', async () => {
    const { svc, bodies } = await setup({ ALERTS_GROUP_WAIT_SECONDS: '0.05', ALERTS_FLAP_THRESHOLD: '2', ALERTS_FLAP_WINDOW_SECONDS: '4' });
    const labels = { instance: 'f:1', alertname: 'Flappy' };
    let expected = 0;
    for (let i = 0; i < 6; i++) {
      const startsAt = iso();
      await svc.post('/api/v2/alerts', [alert(labels, { startsAt })]);
      if (i < 2) {
        const want = ++expected;
        await waitFor(`firing message ${i + 1}`, () => bodies().length === want);
      }
      await sleep(50);
      await svc.post('/api/v2/alerts', [alert(labels, { startsAt, endsAt: iso() })]);
      if (i < 2) {
        const want = ++expected;
        await waitFor(`resolved message ${i + 1}`, () => bodies().length === want);
      }
    }
    // Fires 3 to 6 were held: nothing more until the summary.
    expect(bodies()).toHaveLength(4);
    const summary = await waitFor('the flap summary', () => bodies().find((b) => b.kind === 'flapping'), 20_000);
    expect(summary.flap).toMatchObject({ fires: 4, resolves: 4, windowSeconds: 4 });
    expect(summary.title).toContain('[FLAPPING] Flappy on f:1');
    await sleep(5000);
    expect(bodies().filter((b) => b.kind === 'flapping')).toHaveLength(1);
    expect(bodies()).toHaveLength(5);
    const cur = await svc.get('/api/v1/alerts?instance=f:1');
    expect(cur.body.alerts[0].status.flapping).toBe(false);
  });
});
