import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sleep, waitFor } from '../../test/helpers/wait.js';
import { startHttpReceiver, type HttpReceiver } from '../testing/receivers.js';
import { alert, startAlerts, type TestAlerts } from '../testing/start-alerts.js';
import type { WebhookBody } from '../notify/webhook/webhook-notifier.js';

// Timelines in the manner of Alertmanager's acceptance tests, through a real HTTP webhook receiver.
// Timings are short and configurable; assertions are on order and counts, never on wall-clock time.
// "Nothing more is sent" is shown by a later event of the service itself (a probe alert's message, which
// comes only after its own group wait, or a never-acked control alert's repeats), not by a fixed sleep.

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function setup(env: Record<string, string>): Promise<{ svc: TestAlerts; hook: HttpReceiver; bodies: () => WebhookBody[] }> {
  const hook = await startHttpReceiver();
  const svc = await startAlerts({ ALERT_WEBHOOK_URL: `${hook.url}/hook`, ...env });
  cleanups.push(
    () => hook.close(),
    () => svc.close(),
  );
  return { svc, hook, bodies: () => hook.received.map((r) => r.body as WebhookBody) };
}

/** probe posts an alert for a fresh instance and waits for its message: every group wait begun before it has ended. */
async function probe(svc: TestAlerts, bodies: () => WebhookBody[]): Promise<void> {
  await svc.post('/api/v2/alerts', [alert({ instance: 'probe:1', alertname: 'Probe' })]);
  await waitFor("the probe alert's message", () => bodies().some((b) => b.group === 'probe:1'), 20_000);
}

/** of lists the messages about one group (instance), optionally of one kind. */
const of = (bodies: WebhookBody[], group: string, kind?: WebhookBody['kind']) =>
  bodies.filter((b) => b.group === group && (!kind || b.kind === kind));

const iso = (msAgo = 0) => new Date(Date.now() - msAgo).toISOString();

describe('alert timelines', () => {
  it('groups alerts that arrive together for one instance into one message', async () => {
    const { svc, bodies } = await setup({ ALERTS_GROUP_WAIT_SECONDS: '1' });
    await svc.post('/api/v2/alerts', [alert({ instance: 'a:1', alertname: 'HighCpu' })]);
    await svc.post('/api/v2/alerts', [
      alert({ instance: 'a:1', alertname: 'HighMemory' }),
      alert({ instance: 'b:1', alertname: 'HighCpu' }),
    ]);
    await waitFor('two grouped messages', () => bodies().length >= 2);
    await probe(svc, bodies);
    const b = bodies().filter((x) => x.group !== 'probe:1');
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
    // The control alert is never acked: its repeats show that the repeat timer kept running.
    await svc.post('/api/v2/alerts', [alert(labels, { startsAt: first }), alert({ instance: 'control:1', alertname: 'Control' })]);
    const mine = (kind?: WebhookBody['kind']) => of(bodies(), 'r:1', kind);
    const controlRepeats = () => of(bodies(), 'control:1', 'repeat').length;
    await waitFor('the first message and two repeats', () => mine('repeat').length >= 2, 20_000);
    expect(mine()[0]!.kind).toBe('firing');
    const fp = mine()[0]!.alerts[0]!.fingerprint;

    const ack = await svc.post(`/api/v1/alerts/${fp}/ack`, { by: 'alice', comment: 'looking at it' });
    expect(ack.status).toBe(200);
    expect(ack.body.alert.status.acked).toMatchObject({ by: 'alice', comment: 'looking at it' });
    // The comment is stored: the alert and its history say who acknowledged it and why.
    const acked = await svc.get(`/api/v1/alerts/${fp}`);
    expect(acked.body.alert.status.acked).toMatchObject({ by: 'alice', comment: 'looking at it' });
    expect(acked.body.history.filter((e: { event: string }) => e.event === 'acked').map((e: { detail: string }) => e.detail)).toEqual([
      'alice: looking at it',
    ]);
    const ackEvents = await svc.get(`/api/v1/alerts/history?fingerprint=${fp}&event=acked`);
    expect(ackEvents.body.events).toMatchObject([{ event: 'acked', fingerprint: fp, detail: 'alice: looking at it' }]);

    // A repeat already being sent when the ack landed may still arrive: count from the control's next repeat on,
    // then let the control repeat three more times (three more repeat intervals of the service's own timer).
    const c0 = controlRepeats();
    await waitFor('a control repeat after the ack', () => controlRepeats() > c0, 20_000);
    const afterAck = mine().length;
    await waitFor('three more control repeats', () => controlRepeats() >= c0 + 4, 20_000);
    expect(mine().length).toBe(afterAck);

    await svc.post('/api/v2/alerts', [alert(labels, { startsAt: first, endsAt: iso() })]);
    await waitFor('the resolved message', () => mine('resolved').length > 0);
    await svc.post('/api/v2/alerts', [alert(labels, { startsAt: iso() })]);
    await waitFor('a new firing message and repeats again', () => mine('firing').length === 2 && mine().at(-1)!.kind === 'repeat', 20_000);
    const history = await svc.get(`/api/v1/alerts/history?fingerprint=${fp}&limit=1000`);
    const events = (history.body.events as Array<{ event: string }>).map((e) => e.event).reverse();
    expect(events.slice(0, 2)).toEqual(['fired', 'notified']);
    expect(events).toContain('repeated');
    expect(events.indexOf('acked')).toBeLessThan(events.indexOf('resolved'));
  });

  it('keeps an acknowledgement and its comment across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-alerts-'));
    const hook = await startHttpReceiver();
    cleanups.push(
      () => rm(dir, { recursive: true, force: true }),
      () => hook.close(),
    );
    const env = { ALERT_WEBHOOK_URL: `${hook.url}/hook`, ALERTS_GROUP_WAIT_SECONDS: '0.1' };
    const before = await startAlerts(env, { dir });
    await before.post('/api/v2/alerts', [alert({ instance: 'k:1', alertname: 'Kept' })]);
    const fp = (await waitFor('the firing message', () => hook.received[0]?.body as WebhookBody | undefined)).alerts[0]!.fingerprint;
    expect((await before.post(`/api/v1/alerts/${fp}/ack`, { by: 'bob', comment: 'disk swap booked for 14:00' })).status).toBe(200);
    await before.close(true);

    const after = await startAlerts(env, { dir });
    cleanups.push(() => after.close());
    const got = await after.get(`/api/v1/alerts/${fp}`);
    expect(got.body.alert.status.acked).toMatchObject({ by: 'bob', comment: 'disk swap booked for 14:00' });
    expect(got.body.history.filter((e: { event: string }) => e.event === 'acked').map((e: { detail: string }) => e.detail)).toEqual([
      'bob: disk swap booked for 14:00',
    ]);
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
    await probe(svc, bodies);
    expect(of(bodies(), 'blip:1').map((b) => b.kind)).toEqual(['resolved']);
    expect(bodies()[0]!.title).toMatch(/^\[RESOLVED\] Blip on blip:1 after \d+ s$/);
  });

  it('holds a flapping alert and sends one summary instead of a storm', async () => {
    // Repeats every 3 s serve only the control alert below; the flapping alert never stays firing that long.
    const { svc, bodies } = await setup({
      ALERTS_GROUP_WAIT_SECONDS: '0.05',
      ALERTS_FLAP_THRESHOLD: '2',
      ALERTS_FLAP_WINDOW_SECONDS: '4',
      ALERTS_REPEAT_INTERVAL_SECONDS: '3',
    });
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
    // No second summary and nothing else about f:1 for more than a flap window (4 s) after the summary, as the
    // control alert's two repeats (every 3 s by the service's own timer, so 6 s after the summary) show.
    await svc.post('/api/v2/alerts', [alert({ instance: 'control:1', alertname: 'Control' })]);
    await waitFor('two control repeats', () => of(bodies(), 'control:1', 'repeat').length >= 2, 30_000);
    expect(of(bodies(), 'f:1', 'flapping')).toHaveLength(1);
    expect(of(bodies(), 'f:1')).toHaveLength(5);
    const cur = await svc.get('/api/v1/alerts?instance=f:1');
    expect(cur.body.alerts[0].status.flapping).toBe(false);
  });
});
