import type { Notification } from '../notification.js';
import { facts, flapText, nameOf, sentence, styleOf, subject } from '../describe.js';
import { postJson, type Delivery, type Notifier, type NotifyResult } from '../notifier.js';

const EMOJI: Record<string, string> = {
  CRITICAL: ':red_circle:',
  FORECAST: ':large_orange_circle:',
  WARNING: ':large_orange_circle:',
  HIGH: ':large_blue_circle:',
  LOW: ':large_orange_circle:',
  RESOLVED: ':large_green_circle:',
};

function mrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * slackMessage builds a Block Kit message with the same facts as the email: a header, one section per
 * alert (at most 10; Slack limits a message to 50 blocks) with its figures, and a button to the dashboard.
 * The coloured attachment bar carries the severity colour.
 */
export function slackMessage(n: Notification): Record<string, unknown> {
  const title = subject(n);
  const blocks: Array<Record<string, unknown>> = [{ type: 'header', text: { type: 'plain_text', text: title.slice(0, 150), emoji: true } }];
  const flap = flapText(n);
  if (flap) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: mrkdwn(flap) } });
  for (const a of n.alerts.slice(0, 10)) {
    const st = styleOf(a);
    const lines = facts(a).map(([k, v]) => `*${k}:* ${mrkdwn(v)}`);
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `${EMOJI[st.label] ?? ':white_circle:'} *${mrkdwn(sentence(a))}*\n${mrkdwn(nameOf(a))}\n${lines.join('\n')}`.slice(0, 3000),
      },
    });
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open in Vigil' },
          url: a.dashboardURL,
          ...(st.label === 'CRITICAL' ? { style: 'danger' } : {}),
        },
      ],
    });
  }
  if (n.alerts.length > 10)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${n.alerts.length - 10} more alerts` }] });
  const color = n.kind === 'resolved' ? '#2e7d32' : styleOf(n.alerts[0]!).color;
  return { text: title, blocks, attachments: [{ color, fallback: title }] };
}

/** SlackNotifier posts Block Kit messages to Slack incoming-webhook URLs. */
export class SlackNotifier implements Notifier<Notification> {
  readonly channel = 'slack' as const;

  /** notify posts the message; 5xx, 429 and transport errors are retried, other 4xx are not. */
  notify(d: Delivery<Notification>): Promise<NotifyResult> {
    return postJson(d.target, slackMessage(d.payload), { 'Idempotency-Key': d.key });
  }
}
