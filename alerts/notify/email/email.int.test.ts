import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type TestPrometheus } from '../../../test/helpers/prometheus.js';
import { waitFor } from '../../../test/helpers/wait.js';
import { startSmtpSink, type SmtpSink } from '../../testing/receivers.js';
import { alert, startAlerts, type TestAlerts } from '../../testing/start-alerts.js';
import { CHART_HEIGHT, CHART_WIDTH, pngSize } from './charts.js';

// 48 h of history every 5 min, ending a minute ago: a daily wave that crosses 80 % at the end.
const now = Math.floor(Date.now() / 1000) - 60;
const samples: Array<[number, number]> = [];
for (let t = now - 48 * 3600; t <= now; t += 300)
  samples.push([t, 55 + 20 * Math.sin(((t - now) / 86_400) * 2 * Math.PI) + ((t - now) / 3600 > -2 ? 35 : 0)]);

let prom: TestPrometheus;
let smtp: SmtpSink;
let svc: TestAlerts;

beforeAll(async () => {
  prom = await startPrometheus({ backfill: [{ name: 'cpu_usage_percent', labels: { instance: 'web-1:9101' }, samples }] });
  smtp = await startSmtpSink();
  svc = await startAlerts({
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    ALERT_EMAIL_TO: 'ops@example.com',
    // Rules here email other people at the same domain.
    ALERTS_EMAIL_ALLOWLIST: 'example.com',
    ALERT_EMAIL_FROM: 'Vigil <vigil@example.com>',
    PROMETHEUS_URL: prom.url,
    DASHBOARD_URL: 'http://dash.example:5000',
    ALERTS_GROUP_WAIT_SECONDS: '0.2',
  });
});

afterAll(async () => {
  await svc?.close();
  await smtp?.close();
  await prom?.stop();
});

describe('email notifications (real SMTP server, real Prometheus for the charts)', () => {
  it('sends a RED HTML email with a text part and two inline PNG charts of the declared size', async () => {
    const startsAt = new Date((now - 1800) * 1000).toISOString();
    const r = await svc.post('/api/v2/alerts', [
      alert(
        { instance: 'web-1:9101', kind: 'threshold' },
        {
          startsAt,
          annotations: {
            summary: 'CPU on web-1:9101 is above 80 %',
            description: 'cpu_usage_percent has been above 80 for 5 minutes.',
            value: '93.5',
            threshold: '80',
            query: 'cpu_usage_percent{instance="web-1:9101"} > 80',
          },
          actions: [{ type: 'email', value: 'web-team@example.com' }],
        },
      ),
    ]);
    expect(r.status).toBe(200);
    const mail = await waitFor('the firing email', () => smtp.mails.find((m) => m.parsed.subject?.includes('HighCpu')), 30_000);
    const p = mail.parsed;
    expect(p.subject).toBe('[CRITICAL] HighCpu on web-1:9101');
    expect((p.to as { text: string }).text).toBe('web-team@example.com');
    expect(p.messageId).toMatch(/^<firing-[0-9a-f]{32}@vigil\.alerts>$/);
    const html = String(p.html);
    expect(html).toContain('background:#c62828');
    expect(html).toContain('CPU on web-1:9101 is above 80 %');
    expect(html).toContain('93.5 (threshold 80)');
    expect(html).toContain('http://dash.example:5000/alerts/');
    expect(p.text).toContain('Value: 93.5 (threshold 80)');
    expect(p.text).toContain('Open in Vigil: http://dash.example:5000/alerts/');

    const images = p.attachments.filter((a) => a.contentType === 'image/png');
    expect(images).toHaveLength(2);
    for (const img of images) {
      expect(img.contentDisposition).toBe('inline');
      expect(html).toContain(`cid:${img.cid}`);
      expect(pngSize(img.content)).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT });
      const tag = new RegExp(`<img src="cid:${img.cid!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" width="(\\d+)" height="(\\d+)"`).exec(html);
      expect(tag?.slice(1).map(Number)).toEqual([CHART_WIDTH, CHART_HEIGHT]);
    }
    // The chart is drawn from real data: a PNG of a plotted line is far larger than an empty frame.
    expect(images[0]!.content.length).toBeGreaterThan(8000);

    // Artifacts: the HTML (images inlined so it opens on its own) and one chart.
    mkdirSync('test/artifacts', { recursive: true });
    let standalone = html;
    for (const img of images)
      standalone = standalone.replaceAll(`cid:${img.cid}`, `data:image/png;base64,${img.content.toString('base64')}`);
    writeFileSync('test/artifacts/alerts-email.html', standalone);
    writeFileSync('test/artifacts/alerts-email.eml', mail.raw);
    writeFileSync('test/artifacts/alerts-email-chart-24h.png', images[0]!.content);
  });

  it('sends an AMBER forecast email, and a resolved email that says how long it lasted', async () => {
    const startsAt = new Date(Date.now() - 3_725_000).toISOString();
    const labels = { instance: 'db-1:9101', alertname: 'DiskWillFill', severity: 'warning', kind: 'forecast' };
    const annotations = {
      summary: 'Disk on db-1:9101 is predicted to pass 85 % within 4 h',
      forecast: '91.2',
      forecast_at: String(now + 3 * 3600),
      threshold: '85',
      query: 'cpu_usage_percent{instance="web-1:9101"}',
    };
    expect((await svc.post('/api/v2/alerts', [{ labels, annotations, startsAt }])).status).toBe(200);
    const firing = await waitFor(
      'the forecast email',
      () => smtp.mails.find((m) => m.parsed.subject === '[FORECAST] DiskWillFill on db-1:9101'),
      30_000,
    );
    expect(String(firing.parsed.html)).toContain('background:#f59e0b');
    expect(firing.parsed.text).toContain('Forecast: 91.2 at');

    const endsAt = new Date().toISOString();
    expect((await svc.post('/api/v2/alerts', [{ labels, annotations, startsAt, endsAt }])).status).toBe(200);
    const resolved = await waitFor(
      'the resolved email',
      () => smtp.mails.find((m) => m.parsed.subject?.startsWith('[RESOLVED] DiskWillFill on db-1:9101')),
      30_000,
    );
    expect(resolved.parsed.subject).toMatch(/after 1 h 2 min$/);
    expect(resolved.parsed.text).toContain('Lasted: 1 h 2 min');
    expect(String(resolved.parsed.html)).toContain('background:#2e7d32');
  });
});
