import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../../test/helpers/wait.js';
import { startHttpReceiver } from '../../testing/receivers.js';
import { alert, startAlerts } from '../../testing/start-alerts.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

interface Block {
  type: string;
  text?: { type: string; text: string };
  elements?: Array<{ type: string; url?: string; text?: unknown }>;
}

describe('Slack (a local HTTP receiver standing in for the incoming webhook)', () => {
  it("posts a Block Kit message with the facts and a dashboard button, to the rule's Slack URL when it has one", async () => {
    const slack = await startHttpReceiver();
    // The rule's own Slack URL must be allow-listed: an alert cannot pick a destination the operator did not.
    const svc = await startAlerts({
      SLACK_WEBHOOK_URL: `${slack.url}/default`,
      ALERTS_WEBHOOK_ALLOWLIST: `${slack.url}/team-channel`,
      ALERTS_GROUP_WAIT_SECONDS: '0.1',
      DASHBOARD_URL: 'http://dash:5000',
    });
    cleanups.push(
      () => slack.close(),
      () => svc.close(),
    );
    await svc.post('/api/v2/alerts', [
      alert({ instance: 's:1' }, { annotations: { summary: 'CPU is at 97 %', value: '97', threshold: '80' } }),
    ]);
    await svc.post('/api/v2/alerts', [alert({ instance: 's:2' }, { actions: [{ type: 'slack', value: `${slack.url}/team-channel` }] })]);
    await waitFor('two Slack posts', () => slack.received.length === 2);
    const def = slack.received.find((r) => r.path === '/default')!;
    expect(slack.received.some((r) => r.path === '/team-channel')).toBe(true);
    expect(def.headers['idempotency-key']).toMatch(/^firing-[0-9a-f]{32}$/);
    const msg = def.body as { text: string; blocks: Block[]; attachments: Array<{ color: string }> };
    expect(msg.text).toBe('[CRITICAL] HighCpu on s:1');
    expect(msg.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text', text: '[CRITICAL] HighCpu on s:1' } });
    const section = msg.blocks.find((b) => b.type === 'section')!;
    expect(section.text!.type).toBe('mrkdwn');
    expect(section.text!.text).toContain('*CPU is at 97 %*');
    expect(section.text!.text).toContain('*Value:* 97 (threshold 80)');
    const button = msg.blocks.find((b) => b.type === 'actions')!.elements![0]!;
    expect(button.type).toBe('button');
    expect(button.url).toMatch(/^http:\/\/dash:5000\/alerts\/[0-9a-f]{16}$/);
    expect(msg.attachments[0]!.color).toBe('#c62828');
  });

  it('retries a 5xx and gives up at once on a 4xx, which goes to the dead-letter list and /metrics', async () => {
    const slack = await startHttpReceiver();
    slack.status = 503;
    const svc = await startAlerts({
      SLACK_WEBHOOK_URL: `${slack.url}/x`,
      ALERTS_GROUP_WAIT_SECONDS: '0.05',
      ALERTS_RETRY_BASE_SECONDS: '0.1',
      ALERTS_RETRY_MAX_SECONDS: '0.2',
    });
    cleanups.push(
      () => slack.close(),
      () => svc.close(),
    );
    await svc.post('/api/v2/alerts', [alert({ instance: 'retry:1' })]);
    await waitFor('two failed attempts', async () =>
      (await svc.registry.getSingleMetricAsString('vigil_alerts_notifications_retried_total')).includes('channel="slack"} '),
    );
    slack.status = 200;
    await waitFor('the retried post to arrive', () => slack.received.length === 1);

    slack.status = 400;
    await svc.post('/api/v2/alerts', [alert({ instance: 'bad:1' })]);
    const dead = await waitFor('a dead letter', async () => (await svc.get('/api/v1/outbox/dead-letters')).body.deadLetters[0]);
    expect(dead).toMatchObject({ channel: 'slack', attempts: 1 });
    expect(dead.lastError).toContain('HTTP 400');
    expect(dead.target).not.toContain('/x'); // a webhook URL may hold a secret: the API shows the host only
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    expect(metrics).toMatch(/vigil_alerts_outbox_dead_letters\{channel="slack"\} 1/);
    expect(metrics).toMatch(/vigil_alerts_notifications_failed_total\{channel="slack",retryable="false"\} 1/);
    expect(metrics).toMatch(/vigil_alerts_notifications_sent_total\{channel="slack"\} 1/);
    const history = await svc.get('/api/v1/alerts/history?instance=bad:1');
    expect(history.body.events.map((e: { event: string }) => e.event)).toContain('dead-lettered');
  });
});
