import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type TestPrometheus } from '../../test/helpers/prometheus.js';
import { postJson, startAlertReceiver, startTestAnalytics, getJson, type AlertReceiver, type TestAnalytics } from '../testing/harness.js';
import type { SentAlert } from '../notify/alert-payload.js';

// Timeline (minutes after `base`, one sample every 15 s) for web-1; web-2 stays at 40:
//   0–10: 50 · 10–20: 90 · 20–30: hovers 78/82 around the line (80) · 30–60: 60
const base = Math.floor(Date.now() / 1000 / 60) * 60 - 2 * 3600;
const cpu = (m: number, i: number) => (m < 10 ? 50 : m < 20 ? 90 : m < 30 ? (Math.floor(i / 2) % 2 ? 82 : 78) : 60);
const samples = (f: (m: number, i: number) => number): Array<[number, number]> =>
  Array.from({ length: 241 }, (_, i) => [base + i * 15, f((i * 15) / 60, i)]);

let prom: TestPrometheus;
let receiver: AlertReceiver;
let svc: TestAnalytics;

beforeAll(async () => {
  prom = await startPrometheus({
    backfill: [
      { name: 'vigil_test_cpu_percent', labels: { instance: 'web-1:9101', job: 'agent' }, samples: samples(cpu) },
      { name: 'vigil_test_cpu_percent', labels: { instance: 'web-2:9101', job: 'agent' }, samples: samples(() => 40) },
    ],
  });
  receiver = await startAlertReceiver();
  svc = await startTestAnalytics({ prometheusUrl: prom.url, alertsUrl: receiver.url });
});

afterAll(async () => {
  await svc?.close();
  await receiver?.close();
  await prom?.stop();
});

/** Evaluates a rule at every 15 s of the history and returns web-1's phase changes as [minute, phase]. */
async function replay(id: string): Promise<Array<[number, string]>> {
  const changes: Array<[number, string]> = [];
  let last = 'inactive';
  for (let t = base; t <= base + 3600; t += 15) {
    const rt = await svc.svc.engine.evaluate(id, t * 1000);
    expect(rt?.health).toBe('ok');
    const web1 = [...rt!.states.values()].find((s) => s.labels.instance === 'web-1:9101');
    const web2 = [...rt!.states.values()].find((s) => s.labels.instance === 'web-2:9101');
    expect(web2).toBeUndefined();
    const phase = web1?.phase ?? 'inactive';
    if (phase !== last) changes.push([(t - base) / 60, phase]);
    last = phase;
  }
  return changes;
}

describe('threshold rule against a real Prometheus', () => {
  it('fires after `for`, holds through hovering thanks to hysteresis, resolves below the resolve line', async () => {
    const created = await postJson<{ id: string }>(`${svc.url}/api/v1/rules`, {
      id: 'cpu-high-test',
      name: 'HighCpu',
      namespace: 'web',
      kind: 'threshold',
      expr: 'vigil_test_cpu_percent',
      op: '>',
      value: 80,
      resolveValue: 75,
      for: '1m',
      frequency: '15s',
      actions: [{ type: 'email', value: 'ops@example.com' }],
      labels: { team: 'infra' },
    });
    expect(created.status).toBe(201);
    // A resolved alert is kept (and listed) for 15 minutes, then forgotten.
    expect(await replay('cpu-high-test')).toEqual([
      [10, 'pending'],
      [11, 'firing'],
      [30, 'resolved'],
      [45.25, 'inactive'],
    ]);
  });

  it('flaps without hysteresis on the same history', async () => {
    await postJson(`${svc.url}/api/v1/rules`, {
      id: 'cpu-flappy',
      name: 'FlappyCpu',
      kind: 'threshold',
      expr: 'vigil_test_cpu_percent',
      value: 80,
      frequency: '15s',
    });
    const changes = await replay('cpu-flappy');
    expect(changes.filter(([, p]) => p === 'resolved').length).toBeGreaterThan(5);
  });

  it("delivered the alerts to the receiver in Alertmanager's v2 shape, re-sent while firing, with endsAt on resolve", () => {
    const mine = receiver.alerts().filter((a) => a.labels.rule_id === 'cpu-high-test');
    const firing = mine.slice(0, -1);
    const resolved = mine.slice(-1);
    const first = firing[0] as SentAlert;
    expect(Object.keys(first).sort()).toEqual(['actions', 'annotations', 'endsAt', 'generatorURL', 'labels', 'startsAt']);
    expect(first.labels).toEqual({
      alertname: 'HighCpu',
      severity: 'critical',
      instance: 'web-1:9101',
      job: 'agent',
      namespace: 'web',
      rule_kind: 'threshold',
      rule_id: 'cpu-high-test',
      team: 'infra',
    });
    expect(first.startsAt).toBe(new Date((base + 660) * 1000).toISOString());
    expect(first.annotations.summary).toContain('web-1:9101');
    expect(first.annotations.summary).toContain('90');
    expect(first.annotations.description).toContain('threshold 80');
    expect(first.annotations.alarm).toBe('RED');
    expect(JSON.parse(first.annotations.vigil_actions!)).toEqual([{ type: 'email', value: 'ops@example.com' }]);
    expect(first.actions).toEqual([{ type: 'email', value: 'ops@example.com' }]);
    expect(first.generatorURL).toBe('http://dashboard.test:5000/?rule=cpu-high-test');
    // Re-sent every resend interval (60 s) while firing from minute 11 to 30.
    expect(firing.length).toBeGreaterThanOrEqual(15);
    expect(resolved[0]!.endsAt).toBe(new Date((base + 1800) * 1000).toISOString());
    expect(resolved[0]!.startsAt).toBe(first.startsAt);
    // A firing alert's endsAt lies ahead (4 resend intervals), so Alertmanager expires it if analytics goes quiet.
    expect(Date.parse(first.endsAt) - (base + 660) * 1000).toBe(240_000);
    expect(mine.every((a) => a.labels.instance === 'web-1:9101')).toBe(true);
  });

  it('backtest returns the firing interval the history contains', async () => {
    const r = await postJson<{
      intervals: Array<{ labels: Record<string, string>; firedAt: string; resolvedAt: string | null; activeAt: string }>;
    }>(`${svc.url}/api/v1/rules/cpu-high-test/backtest`, { from: base, to: new Date((base + 3600) * 1000).toISOString() });
    expect(r.status).toBe(200);
    expect(r.body.intervals).toEqual([
      {
        labels: { instance: 'web-1:9101', job: 'agent' },
        activeAt: new Date((base + 600) * 1000).toISOString(),
        firedAt: new Date((base + 660) * 1000).toISOString(),
        resolvedAt: new Date((base + 1800) * 1000).toISOString(),
        details: expect.objectContaining({ threshold: '80', metric: 'vigil_test_cpu_percent' }),
      },
    ]);
    const bad = await postJson<{ error: { code: string } }>(`${svc.url}/api/v1/rules/cpu-high-test/backtest`, { from: 'yesterday' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_PARAMETER');
  });

  it('lists rule states on /api/v1/alerts and results on /metrics', async () => {
    await svc.svc.engine.evaluate('cpu-high-test', (base + 900) * 1000);
    await svc.svc.engine.evaluate('cpu-high-test', (base + 975) * 1000);
    const a = await getJson<{ alerts: Array<{ rule: string; state: string; labels: Record<string, string> }> }>(`${svc.url}/api/v1/alerts`);
    expect(a.body.alerts.find((x) => x.rule === 'cpu-high-test')).toMatchObject({ state: 'firing', labels: { instance: 'web-1:9101' } });
    const m = await (await fetch(`${svc.url}/metrics`)).text();
    expect(m).toMatch(
      /vigil_analytics_alerts\{instance="web-1:9101",job="agent",team="infra",alertname="HighCpu",rule="cpu-high-test",rule_kind="threshold",alertstate="firing"\} 1/,
    );
    expect(m).toMatch(/vigil_analytics_rule_evaluations_total\{rule="cpu-high-test"\} \d+/);
    expect(m).toContain('vigil_analytics_rule_status{rule="cpu-high-test",kind="threshold",status="ok"} 1');
  });
});
