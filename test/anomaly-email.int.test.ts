import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAnalytics, postJson, type TestAnalytics } from '../analytics/testing/harness.js';
import { startSmtpSink, type SmtpSink } from '../alerts/testing/receivers.js';
import { startAlerts, type TestAlerts } from '../alerts/testing/start-alerts.js';
import { startPrometheus, type TestPrometheus } from './helpers/prometheus.js';
import { waitFor } from './helpers/wait.js';

// Three and a half days of a daily-seasonal p99 (0.3–0.6 s) at 5 minutes, ending in a 2.4 s spike.
const STEP = 300;
const end = Math.floor((Date.now() / 1000 - 60) / STEP) * STEP;
const samples: Array<[number, number]> = [];
for (let t = end - 3.5 * 86_400; t <= end; t += STEP) {
  samples.push([
    t,
    end - t < 2 * STEP
      ? 2.4
      : Math.round((0.45 - 0.15 * Math.cos((2 * Math.PI * (t % 86_400)) / 86_400) + 0.005 * Math.sin(t)) * 1e4) / 1e4,
  ]);
}

/** pixels decodes an 8-bit RGB or RGBA PNG (what resvg writes) into [r, g, b] triples. */
function pixels(png: Buffer): Array<[number, number, number]> {
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 4;
  const idat: Buffer[] = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('ascii', pos + 4, pos + 8);
    const data = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      channels = data[9] === 6 ? 4 : data[9] === 2 ? 3 : 0;
      if (data[8] !== 8 || channels === 0) throw new Error(`unsupported PNG (depth ${data[8]}, colour type ${data[9]})`);
    } else if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const cur = raw[y * (stride + 1) + 1 + x]!;
      const a = x >= channels ? out[y * stride + x - channels]! : 0;
      const b = y > 0 ? out[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels]! : 0;
      const p = a + b - c;
      const pred = [
        0,
        a,
        b,
        (a + b) >> 1,
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c,
      ][filter]!;
      out[y * stride + x] = (cur + pred) & 0xff;
    }
  }
  const px: Array<[number, number, number]> = [];
  for (let i = 0; i < out.length; i += channels) px.push([out[i]!, out[i + 1]!, out[i + 2]!]);
  return px;
}

let prom: TestPrometheus;
let smtp: SmtpSink;
let alerts: TestAlerts;
let analytics: TestAnalytics;

beforeAll(async () => {
  prom = await startPrometheus({
    backfill: [{ name: 'vigil_test_latency_seconds', labels: { instance: 'api-1:8080', job: 'api' }, samples }],
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

describe('an anomaly alert from analytics, emailed by the alerts service', () => {
  it('says what happened in words, is coloured HIGH and draws the expected band in its chart', async () => {
    const r = await postJson(`${analytics.url}/api/v1/rules`, {
      id: 'latency',
      name: 'LatencyAnomaly',
      kind: 'anomaly',
      expr: 'vigil_test_latency_seconds',
      frequency: '5m',
      params: { title: 'p99 latency', step: '5m', history: '3d' },
    });
    expect(r.status).toBe(201);
    const rt = await analytics.svc.engine.evaluate('latency', (end + 30) * 1000);
    expect([...rt!.states.values()].map((s) => s.phase)).toEqual(['firing']);
    const mail = await waitFor('the anomaly email', () => smtp.mails.find((m) => m.parsed.subject?.includes('LatencyAnomaly')), 60_000);
    const html = String(mail.parsed.html);
    expect(html).toContain('background:#1565c0');
    expect(html).toMatch(/p99 latency 2\.4 s, expected \d+ ms–\d+ ms at this hour/);
    const lower = rt!.states.values().next().value!.details.lower!;
    const upper = rt!.states.values().next().value!.details.upper!;
    expect(html).toContain(`${lower} – ${upper}`);
    // The band is a light-blue area (#90caf9 at 35 % over white; nothing else in the chart has that colour): its pixels are in the 24-hour chart.
    const png = mail.parsed.attachments.find((a) => a.contentType === 'image/png')!;
    const band = pixels(png.content).filter(([red, g, b]) => Math.abs(red - 216) <= 4 && Math.abs(g - 236) <= 4 && Math.abs(b - 253) <= 4);
    expect(band.length).toBeGreaterThan(100);
  });
});
