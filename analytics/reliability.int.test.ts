import { afterEach, describe, expect, it } from 'vitest';
import { requireBinary } from '../test/helpers/binaries.js';
import { startChild, type Child } from '../test/helpers/child.js';
import { startPrometheus, type TestPrometheus } from '../test/helpers/prometheus.js';
import { waitFor } from '../test/helpers/wait.js';
import { getJson, postJson, startTestAnalytics, type TestAnalytics } from './testing/harness.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const end = Math.floor(Date.now() / 1000) - 60;
const history = [
  {
    name: 'cpu_usage_percent',
    labels: { instance: 'h1:9101' },
    samples: Array.from({ length: 40 }, (_, i) => [end - (39 - i) * 15, 20] as [number, number]),
  },
];

async function metric(svc: TestAnalytics, line: string): Promise<boolean> {
  return (await (await fetch(`${svc.url}/metrics`)).text()).includes(line);
}

describe('analytics when Prometheus goes away', () => {
  it('stays up, reports Prometheus unreachable on /metrics and /-/ready, and recovers by itself', async () => {
    const prom: TestPrometheus = await startPrometheus({ backfill: history });
    cleanup.push(() => prom.stop());
    const svc = await startTestAnalytics({
      prometheusUrl: prom.url,
      start: true,
      env: { ANALYTICS_PROBE_SECONDS: '0.2' },
      fileRules: [{ id: 'cpu', name: 'Cpu', kind: 'threshold', expr: 'cpu_usage_percent', value: 80, frequency: '1s' }],
    });
    cleanup.push(() => svc.close());
    await waitFor('analytics to be ready', async () => (await fetch(`${svc.url}/-/ready`)).status === 200);
    await waitFor('the rule to evaluate', () => metric(svc, 'vigil_analytics_rule_status{rule="cpu",kind="threshold",status="ok"} 1'));
    expect(await metric(svc, 'vigil_analytics_prometheus_up 1')).toBe(true);

    // Stop Prometheus, keeping its data directory for the restart.
    await prom.child.stop();
    await waitFor('/-/ready to turn 503', async () => (await fetch(`${svc.url}/-/ready`)).status === 503);
    await waitFor('prometheus_up 0', () => metric(svc, 'vigil_analytics_prometheus_up 0'));
    await waitFor('the rule to report the error', () =>
      metric(svc, 'vigil_analytics_rule_status{rule="cpu",kind="threshold",status="error"} 1'),
    );
    expect((await fetch(`${svc.url}/-/healthy`)).status).toBe(200);
    const rules = await getJson<{ rules: Array<{ id: string; status: { lastError: string } }> }>(`${svc.url}/api/v1/rules`);
    expect(rules.body.rules[0]!.status.lastError).toMatch(/cannot reach Prometheus/);

    // Prometheus returns on the same port with the same data.
    const again: Child = startChild(requireBinary('prometheus', 'PROMETHEUS_BIN'), [
      `--config.file=${prom.dir}/prometheus.yml`,
      `--storage.tsdb.path=${prom.dir}/data`,
      `--web.listen-address=127.0.0.1:${prom.port}`,
      '--storage.tsdb.retention.time=3650d',
      '--log.level=warn',
    ]);
    cleanup.push(() => again.stop());
    await waitFor('analytics to be ready again', async () => (await fetch(`${svc.url}/-/ready`)).status === 200, 60_000);
    await waitFor('prometheus_up 1', () => metric(svc, 'vigil_analytics_prometheus_up 1'));
    await waitFor('the rule to recover', () => metric(svc, 'vigil_analytics_rule_status{rule="cpu",kind="threshold",status="ok"} 1'));
  });
});

describe('analytics across a restart', () => {
  it('keeps every rule created through the API', async () => {
    const first = await startTestAnalytics({ prometheusUrl: 'http://127.0.0.1:9' });
    cleanup.push(() => import('node:fs/promises').then((fs) => fs.rm(first.dataDir, { recursive: true, force: true })));
    const bodies = [
      {
        name: 'Disk',
        kind: 'forecast',
        expr: 'disk_usage_percent{mountpoint="/"}',
        threshold: 90,
        horizon: '2h',
        actions: [{ type: 'webhook', value: 'http://hooks.example/x' }],
      },
      {
        name: 'Rule4',
        namespace: 'Recommendation',
        frequency: '0d_0h_0m_5000s',
        rule_condition: 'AVG time_taken 0d_0h_5m_0s > 300',
        actions: [{ name: 'gmail', value: 'a@b.c' }],
      },
      {
        id: 'lat-anomaly',
        name: 'Latency anomaly',
        kind: 'anomaly',
        expr: 'histogram_quantile(0.99, rate(http_request_duration_seconds_bucket[5m]))',
        params: { sensitivity: 3 },
      },
    ];
    const created = [];
    for (const b of bodies) {
      const r = await postJson<{ id: string }>(`${first.url}/api/v1/rules`, b);
      expect(r.status).toBe(201);
      created.push(r.body);
    }
    const del = await fetch(`${first.url}/api/v1/rules/${created[0]!.id}`, { method: 'DELETE' });
    expect(del.status).toBe(204);
    await first.close({ keepDataDir: true });

    const second = await startTestAnalytics({ prometheusUrl: 'http://127.0.0.1:9', dataDir: first.dataDir });
    cleanup.push(() => second.close());
    const { body } = await getJson<{ rules: Array<Record<string, unknown>> }>(`${second.url}/api/v1/rules`);
    const strip = ({ status: _s, ...r }: Record<string, unknown>) => r;
    expect(body.rules.map(strip)).toEqual(created.slice(1));
    // The anomaly rule is carried with its parameters and evaluated: it asks Prometheus for its history (unreachable here).
    const rt = await second.svc.engine.evaluate('lat-anomaly');
    expect(rt?.rule).toMatchObject({ kind: 'anomaly', params: { sensitivity: 3 } });
    expect(rt?.health).toBe('error');
    expect(rt?.lastError).toMatch(/cannot reach Prometheus/);
  });
});
