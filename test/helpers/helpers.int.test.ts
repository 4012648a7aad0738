import { afterAll, describe, expect, it } from 'vitest';
import { startPrometheus, type TestPrometheus } from './prometheus.js';
import { startAlertmanager } from './alertmanager.js';

describe('test helpers', () => {
  let prom: TestPrometheus | undefined;
  afterAll(async () => prom?.stop());

  it('backfills deterministic history into a real Prometheus', async () => {
    const end = Math.floor(Date.now() / 1000) - 60;
    const samples: Array<[number, number]> = [];
    for (let t = end - 3600; t <= end; t += 15) samples.push([t, (t - (end - 3600)) / 36]);
    prom = await startPrometheus({
      backfill: [
        { name: 'test_ramp_percent', labels: { instance: 'a:1' }, samples },
        { name: 'test_events_total', type: 'counter', labels: { instance: 'a:1' }, samples: samples.map(([t], i) => [t, i]) },
      ],
    });
    const ramp = await prom.query('test_ramp_percent', end);
    expect(ramp).toHaveLength(1);
    expect(Number(ramp[0]!.value[1])).toBeCloseTo(100, 5);
    const rate = await prom.query('rate(test_events_total[5m])', end);
    expect(Number(rate[0]!.value[1])).toBeCloseTo(1 / 15, 3);
  });

  it('starts a real Alertmanager that accepts alerts', async () => {
    const am = await startAlertmanager();
    try {
      const r = await fetch(`${am.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ labels: { alertname: 'HelperCheck', instance: 'x' }, annotations: { summary: 's' } }]),
      });
      expect(r.status).toBe(200);
      const alerts = await am.alerts();
      expect(alerts.map((a) => a.labels.alertname)).toContain('HelperCheck');
    } finally {
      await am.stop();
    }
  });
});
