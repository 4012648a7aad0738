import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, postJson, startTestAnalytics, type TestAnalytics } from '../testing/harness.js';

interface ErrorBody {
  error: { code: string; message: string; details?: Array<{ field: string; message: string }> };
}

let svc: TestAnalytics;
beforeAll(async () => {
  // Storing rules needs no Prometheus; the timers are not started.
  svc = await startTestAnalytics({ prometheusUrl: 'http://127.0.0.1:9' });
});
afterAll(async () => svc?.close());

const threshold = { name: 'Cpu', kind: 'threshold', expr: 'cpu_usage_percent', value: 80 };
const forecast = { name: 'Disk', kind: 'forecast', expr: 'disk_usage_percent', threshold: 90 };

describe('rule durations are bounded, and the bounds are in the error', () => {
  it.each([
    [{ ...threshold, frequency: '30d' }, 'frequency', 'between 1 s (1s) and 86400 s (1d)'],
    [{ ...threshold, frequency: '100000y' }, 'frequency', 'between 1 s (1s) and 86400 s (1d)'],
    [{ ...threshold, frequency: 1e300 }, 'frequency', 'between 1 s (1s) and 86400 s (1d)'],
    [{ ...threshold, for: '100000y' }, 'for', 'between 0 s and 604800 s (7d)'],
    [{ ...forecast, lookback: '100000y' }, 'lookback', 'between 60 s (1m) and 2678400 s (31d)'],
    [{ ...forecast, horizon: '100000y' }, 'horizon', 'between 1 s (1s) and 31536000 s (365d)'],
    [
      { name: 'Seed', namespace: 'n', frequency: '0d_0h_1m_0s', rule_condition: 'AVG time_taken 100000d_0h_0m_0s > 300' },
      'rule_condition',
      'longer than 2678400 s (31d)',
    ],
  ])('%j → 400 on %s', async (rule, field, bound) => {
    const r = await postJson<ErrorBody>(`${svc.url}/api/v1/rules`, rule);
    expect(r.status).toBe(400);
    const problem = r.body.error.details?.find((d) => d.field === field);
    expect(problem?.message).toContain(bound);
  });

  it('accepts the largest interval allowed, and no rule was stored from the rejected ones', async () => {
    const r = await postJson<{ id: string }>(`${svc.url}/api/v1/rules`, { ...threshold, frequency: '1d', for: '7d' });
    expect(r.status).toBe(201);
    const list = await getJson<{ rules: Array<{ id: string }> }>(`${svc.url}/api/v1/rules`);
    expect(list.body.rules.map((x) => x.id)).toContain(r.body.id);
    expect(list.body.rules).toHaveLength(1);
  });

  it("bounds a backtest's times and range, and says the bounds", async () => {
    const rule = await postJson<{ id: string }>(`${svc.url}/api/v1/rules`, { ...threshold, name: 'Bt' });
    const far = await postJson<ErrorBody>(`${svc.url}/api/v1/rules/${rule.body.id}/backtest`, { from: 1e15, to: 1e15 + 3600 });
    expect(far.status).toBe(400);
    expect(far.body.error.message).toContain('between 0 and 253402300799 (1970 to 9999)');
    const long = await postJson<ErrorBody>(`${svc.url}/api/v1/rules/${rule.body.id}/backtest`, {
      from: '2026-01-01T00:00:00Z',
      to: '2026-03-01T00:00:00Z',
    });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toContain('at most 31 days');
  });

  it('answers a 10,000-deep params object with 400 BODY_TOO_DEEP, not a 500', async () => {
    const body = `{"name":"A","kind":"anomaly","expr":"up","params":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    const r = await getJson<ErrorBody>(`${svc.url}/api/v1/rules`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('BODY_TOO_DEEP');
  });
});
