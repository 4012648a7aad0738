import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANNOTATION } from '../common/alerting/index.js';
import { startTestAnalytics, postJson, type TestAnalytics } from '../analytics/testing/harness.js';
import { startSmtpSink, type SmtpSink } from '../alerts/testing/receivers.js';
import { startAlerts, type TestAlerts } from '../alerts/testing/start-alerts.js';
import { chartOf, waitForMail } from './helpers/inbox.js';
import { curvePixels, inPlot, plotSpan } from './helpers/png.js';
import { startPrometheus, type TestPrometheus } from './helpers/prometheus.js';

// A day and a half of a queue depth on one database host at 5 minutes: it swings around 60 and ends above 80.
const STEP = 300;
const end = Math.floor((Date.now() / 1000 - 60) / STEP) * STEP;
const samples: Array<[number, number]> = [];
for (let t = end - 1.5 * 86_400; t <= end; t += STEP) {
  samples.push([t, end - t < 3 * STEP ? 95 : Math.round((60 + 15 * Math.sin((2 * Math.PI * t) / 21_600)) * 100) / 100]);
}
const SERIES = { instance: 'db-1:9101', job: 'db' };
const RED = '#c62828';

let prom: TestPrometheus;
let smtp: SmtpSink;
let alerts: TestAlerts;
let analytics: TestAnalytics;

beforeAll(async () => {
  prom = await startPrometheus({
    backfill: [
      { name: 'vigil_test_queue_depth', labels: SERIES, samples },
      // A quiet twin on another host: the chart must draw the series that fired, not every series of the metric.
      { name: 'vigil_test_queue_depth', labels: { instance: 'db-2:9101', job: 'db' }, samples: samples.map(([t]) => [t, 10]) },
    ],
  });
  smtp = await startSmtpSink();
  alerts = await startAlerts({
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    ALERT_EMAIL_TO: 'ops@example.com',
    PROMETHEUS_URL: prom.url,
    ALERTS_GROUP_WAIT_SECONDS: '0.2',
  });
  analytics = await startTestAnalytics({ prometheusUrl: prom.url, alertsUrl: alerts.url });
});

afterAll(async () => {
  await analytics?.close();
  await alerts?.close();
  await smtp?.close();
  await prom?.stop();
});

describe('a rule that adds labels its series lacks', () => {
  it('emails a chart of the series that fired, drawn from its data', async () => {
    // team is one of the names the old chart code knew to drop; env and service are not.
    const r = await postJson(`${analytics.url}/api/v1/rules`, {
      id: 'queue',
      name: 'QueueDepthHigh',
      kind: 'threshold',
      expr: 'vigil_test_queue_depth',
      op: '>',
      value: 80,
      severity: 'critical',
      frequency: '5m',
      labels: { team: 'db', env: 'prod', service: 'billing' },
    });
    expect(r.status).toBe(201);
    // Evaluated at the data's end (up to 6 min ago): a 5 min frequency keeps the alert's endsAt (4 intervals on) in the future.
    const rt = await analytics.svc.engine.evaluate('queue', (end + 30) * 1000);
    expect([...rt!.states.values()].map((s) => [s.labels.instance, s.phase])).toEqual([['db-1:9101', 'firing']]);

    const mail = await waitForMail(smtp, 'QueueDepthHigh', 'firing', 90_000);
    // The alert the alerts service holds: the rule's labels in its identity, and a query naming the series that fired alone.
    const held = (await (await fetch(`${alerts.url}/api/v1/alerts`)).json()) as {
      alerts: Array<{ labels: Record<string, string>; annotations: Record<string, string> }>;
    };
    expect(held.alerts).toHaveLength(1);
    expect(held.alerts[0]!.labels).toMatchObject({ ...SERIES, team: 'db', env: 'prod', service: 'billing' });
    expect(held.alerts[0]!.annotations[ANNOTATION.query]).toBe('vigil_test_queue_depth{instance="db-1:9101",job="db"}');
    expect(String(mail.parsed.html)).not.toContain('Charts unavailable');
    // The 24 h chart: the threshold line spans the plot, and the series is drawn (in the alert's red, off
    // that line) across the whole day; an empty query result leaves only the line.
    const chart = chartOf(mail, 24);
    const span = plotSpan(chart);
    expect(span, 'the threshold line').toBeDefined();
    const drawn = curvePixels(chart, RED);
    for (let i = 0; i < 8; i++)
      expect(inPlot(drawn, span!, i / 8, (i + 1) / 8).length, `data in the ${i + 1}th eighth of the day`).toBeGreaterThan(0);
  });
});
