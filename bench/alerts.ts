import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAlertmanager } from '../test/helpers/alertmanager.js';
import type { Child } from '../test/helpers/child.js';
import { freePort } from '../test/helpers/ports.js';
import { startPrometheus } from '../test/helpers/prometheus.js';
import { startVigil, waitReady } from '../test/helpers/vigil.js';
import { sleep, waitFor } from '../test/helpers/wait.js';
import { startHttpReceiver, startSmtpSink } from '../alerts/testing/receivers.js';
import { soakBench } from './alerts-soak.js';
import { percentile, type Benchmark, type BenchResult, type BenchRow } from './harness.js';

const SCRAPE = 5; // s: scrape and evaluation interval for both paths
const TRIALS = 3;
const INGEST_ALERTS = 20_000;

async function startAlertsChild(dir: string, env: Record<string, string>): Promise<{ child: Child; url: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = startVigil(['alerts'], { DATA_DIR: dir, ALERTS_PORT: String(port), ALERTS_HOST: '127.0.0.1', ...env });
  await waitReady(child, url);
  return { child, url };
}

/** ingest posts INGEST_ALERTS distinct alerts with `concurrency` clients, `batch` alerts per request. */
async function ingest(url: string, batch: number, concurrency: number, tag: string): Promise<{ perSecond: number; failed: number }> {
  const requests: string[] = [];
  for (let i = 0; i < INGEST_ALERTS; i += batch) {
    const alerts = [];
    for (let j = i; j < Math.min(INGEST_ALERTS, i + batch); j++) {
      alerts.push({
        labels: { alertname: `Bench${j % 100}`, instance: `${tag}-${Math.floor(j / 100)}`, severity: 'warning' },
        annotations: { summary: `bench alert ${j}` },
      });
    }
    requests.push(JSON.stringify(alerts));
  }
  let next = 0;
  let failed = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests.length) {
        const body = requests[next++]!;
        const r = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        await r.arrayBuffer();
        if (r.status !== 200) failed++;
      }
    }),
  );
  return { perSecond: INGEST_ALERTS / ((performance.now() - t0) / 1000), failed };
}

async function ingestBench(): Promise<{ rows: BenchRow[]; details: Record<string, unknown> }> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-alerts-'));
  const hook = await startHttpReceiver();
  const { child, url } = await startAlertsChild(dir, { ALERT_WEBHOOK_URL: `${hook.url}/hook`, ALERTS_GROUP_WAIT_SECONDS: '1' });
  try {
    const single = await ingest(url, 1, 64, 'single');
    const batched = await ingest(url, 100, 8, 'batched');
    const current = (await (await fetch(`${url}/api/v1/alerts`)).json()) as { alerts: unknown[] };
    const notified = await waitFor(
      'every accepted alert in a webhook notification',
      () => {
        const n = hook.received.reduce((s, r) => s + ((r.body as { alerts?: unknown[] }).alerts?.length ?? 0), 0);
        return n >= 2 * INGEST_ALERTS ? n : undefined;
      },
      300_000,
      500,
    );
    const lost = 2 * INGEST_ALERTS - current.alerts.length + single.failed + batched.failed;
    return {
      rows: [
        {
          measure: 'ingest, 1 alert per request, 64 clients',
          unit: 'alerts/s',
          vigil: single.perSecond,
          target: '≥ 1000',
          met: single.perSecond >= 1000,
        },
        {
          measure: 'ingest, 100 alerts per request, 8 clients',
          unit: 'alerts/s',
          vigil: batched.perSecond,
          target: '≥ 1000',
          met: batched.perSecond >= 1000,
        },
        {
          measure: 'accepted alerts lost (state + webhook)',
          unit: 'alerts',
          vigil: lost + Math.max(0, 2 * INGEST_ALERTS - notified),
          target: '0',
          met: lost === 0 && notified === 2 * INGEST_ALERTS,
        },
      ],
      details: {
        alerts: 2 * INGEST_ALERTS,
        notificationsReceived: hook.received.length,
        alertsInNotifications: notified,
        fsyncPerAccepted: true,
      },
    };
  } finally {
    await child.stop();
    await hook.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** A scrape target whose `bench_value{trial}` the bench sets. */
async function startTarget(): Promise<{ port: number; set(trial: number, v: number | undefined): void; close(): Promise<void> }> {
  const values = new Map<number, number>();
  const server = createServer((_req, res) => {
    const lines = ['# TYPE bench_value gauge', ...[...values].map(([t, v]) => `bench_value{trial="${t}"} ${v}`)];
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(lines.join('\n') + '\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    set: (t, v) => (v === undefined ? values.delete(t) : values.set(t, v)),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function latencyBench(): Promise<{ rows: BenchRow[]; details: Record<string, unknown> }> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-latency-'));
  const smtp = await startSmtpSink();
  const target = await startTarget();
  const am = await startAlertmanager({
    global: { smtp_smarthost: `127.0.0.1:${smtp.port}`, smtp_from: 'alertmanager@example.com', smtp_require_tls: false },
    // Alertmanager's default timings (group_wait 30s, group_interval 5m, repeat_interval 4h); one group per trial.
    route: { receiver: 'email', group_by: ['trial'] },
    receivers: [{ name: 'email', email_configs: [{ to: 'stock@example.com', send_resolved: false }] }],
  });
  const prom = await startPrometheus({
    config: {
      global: { scrape_interval: `${SCRAPE}s`, evaluation_interval: `${SCRAPE}s` },
      scrape_configs: [{ job_name: 'bench', static_configs: [{ targets: [`127.0.0.1:${target.port}`] }] }],
      alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${am.port}`] }] }] },
    },
    rules: {
      'bench.yml': {
        groups: [{ name: 'bench', rules: [{ alert: 'BenchHigh', expr: 'bench_value > 80', labels: { severity: 'critical' } }] }],
      },
    },
  });
  const alerts = await startAlertsChild(join(dir, 'alerts'), {
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    ALERT_EMAIL_TO: 'vigil@example.com',
    PROMETHEUS_URL: prom.url,
  });
  const rulesFile = join(dir, 'rules.yml');
  await writeFile(
    rulesFile,
    `rules:\n  - id: bench-high\n    name: BenchHigh\n    kind: threshold\n    expr: bench_value\n    op: '>'\n    value: 80\n    frequency: ${SCRAPE}s\n    severity: critical\n`,
  );
  const analyticsPort = await freePort();
  const analytics = startVigil(['analytics'], {
    DATA_DIR: join(dir, 'analytics'),
    ANALYTICS_PORT: String(analyticsPort),
    ANALYTICS_HOST: '127.0.0.1',
    PROMETHEUS_URL: prom.url,
    ALERTS_URL: alerts.url,
    ANALYTICS_RULES_FILE: rulesFile,
  });
  const vigil: number[] = [];
  const stock: number[] = [];
  try {
    await waitReady(analytics, `http://127.0.0.1:${analyticsPort}`, 60_000);
    for (let trial = 1; trial <= TRIALS; trial++) {
      target.set(trial, 10);
      await sleep(2 * SCRAPE * 1000); // the series exists below the line first
      const seen = smtp.mails.length;
      target.set(trial, 95);
      const t0 = Date.now();
      const v = await waitFor(
        `Vigil's email for trial ${trial}`,
        () => smtp.mails.slice(seen).find((m) => m.parsed.headers.get('x-vigil-kind') === 'firing'),
        120_000,
        50,
      );
      const s = await waitFor(
        `Alertmanager's email for trial ${trial}`,
        () =>
          smtp.mails
            .slice(seen)
            .find((m) => (m.parsed.subject ?? '').includes('FIRING') && (m.parsed.subject ?? '').includes(String(trial))),
        180_000,
        50,
      );
      vigil.push((v.at - t0) / 1000);
      stock.push((s.at - t0) / 1000);
      target.set(trial, undefined);
    }
  } finally {
    await analytics.stop();
    await alerts.child.stop();
    await prom.stop();
    await am.stop();
    await target.close();
    await smtp.close();
    await rm(dir, { recursive: true, force: true });
  }
  const vp = percentile(vigil, 50);
  const sp = percentile(stock, 50);
  return {
    rows: [
      {
        measure: `threshold crossing → email, median of ${TRIALS} (scrape/eval ${SCRAPE} s)`,
        unit: 's',
        vigil: vp,
        anchor: sp,
        target: '≤ 0.5×',
        met: vp <= 0.5 * sp,
      },
    ],
    details: {
      vigilSeconds: vigil,
      stockSeconds: stock,
      vigilPath: 'agent-like target → Prometheus → vigil analytics (threshold rule, 5 s) → vigil alerts (group wait 5 s) → SMTP',
      stockPath: 'same target → Prometheus rule (5 s evaluation) → Alertmanager (default timings: group_wait 30 s) → SMTP',
    },
  };
}

/** The parts to run: `BENCH_ALERTS_PARTS=soak npm run bench alerts` runs the soak alone (default: all three). */
const PARTS = (process.env.BENCH_ALERTS_PARTS ?? 'ingest,latency,soak').split(',').map((p) => p.trim());

/**
 * benchmark: alert ingest throughput, crossing-to-email latency against Prometheus + Alertmanager,
 * and a soak (kill -9 and SMTP outage midway: lost, duplicated, memory back to idle).
 */
export const benchmark: Benchmark = {
  name: 'alerts',
  description:
    'alerts service: ingest throughput (none lost), threshold-crossing-to-email latency vs Prometheus rule → Alertmanager (default timings), and a soak with kill -9 and an SMTP outage',
  async run(): Promise<BenchResult> {
    // Other work on the machine changes the throughput figures; the load average says how much there was.
    const loadBefore = loadavg()[0];
    const parts = [
      PARTS.includes('ingest') ? await ingestBench() : undefined,
      PARTS.includes('latency') ? await latencyBench() : undefined,
      PARTS.includes('soak') ? await soakBench() : undefined,
    ].filter((p) => p !== undefined);
    const details = Object.assign(
      { loadAverage1m: { before: loadBefore, after: loadavg()[0] }, cpus: cpus().length },
      ...parts.map((p) => p.details),
    ) as Record<string, unknown>;
    return { name: 'alerts', anchorName: 'Prometheus+Alertmanager', rows: parts.flatMap((p) => p.rows), details };
  },
};
