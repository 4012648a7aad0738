import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlerts, type TestAlerts } from '../testing/start-alerts.js';

let svc: TestAlerts;
beforeAll(async () => {
  svc = await startAlerts({ ALERTS_GROUP_WAIT_SECONDS: '3600' });
});
afterAll(async () => {
  await svc?.close();
});

describe('receiving', () => {
  it('accepts a payload whole or rejects it whole, with a JSON error naming the field', async () => {
    const bad = await svc.post('/api/v2/alerts', [
      { labels: { alertname: 'One', instance: 'x' } },
      { labels: { alertname: 'Two' }, annotations: { summary: 5 } },
    ]);
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_ALERT_PAYLOAD');
    expect(bad.body.error.message).toContain('body[1].annotations.summary');
    expect((await svc.get('/api/v1/alerts')).body.alerts).toHaveLength(0);

    const ok = await svc.post('/api/v2/alerts', [{ labels: { alertname: 'One', instance: 'x' } }, { labels: { alertname: 'Two' } }]);
    expect(ok.status).toBe(200);
    expect(ok.body.accepted).toBe(2);
    expect((await svc.get('/api/v1/alerts')).body.alerts).toHaveLength(2);
  });

  it('answers bad JSON and bad queries with stable codes', async () => {
    expect((await svc.post('/api/v2/alerts', '{nope')).body.error.code).toBe('INVALID_JSON');
    const q = await svc.get('/api/v1/alerts/history?limit=0');
    expect(q.status).toBe(400);
    expect(q.body.error).toEqual({ code: 'INVALID_QUERY', message: 'limit: expected an integer between 1 and 1000, got "0"' });
    expect((await svc.post('/api/v1/alerts/0123456789abcdef/ack', { by: 'x' })).body.error.code).toBe('ALERT_NOT_FOUND');
  });

  it('answers thousands of random payloads with 2xx or 4xx, never 5xx, and stays up', async () => {
    const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/);
    const alertLike = fc.record(
      {
        labels: fc.oneof(fc.dictionary(labelName, fc.string({ maxLength: 20 }), { maxKeys: 4 }), fc.anything()),
        annotations: fc.oneof(fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 20 }), { maxKeys: 3 }), fc.anything()),
        startsAt: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string(),
          fc.integer(),
        ),
        endsAt: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.constant('0001-01-01T00:00:00Z'),
          fc.anything(),
        ),
        status: fc.constantFrom('firing', 'resolved', 'other'),
        actions: fc.array(fc.record({ type: fc.constantFrom('email', 'slack', 'webhook', 'fax'), value: fc.string() }), { maxLength: 2 }),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.array(alertLike, { maxLength: 4 }),
      fc.record({ version: fc.constant('4'), alerts: fc.array(alertLike, { maxLength: 4 }) }),
      fc.anything(),
      fc.string(),
    );
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/api/v2/alerts', '/api/v1/alertmanager-webhook'), body, async (path, b) => {
        const r = await fetch(`${svc.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: typeof b === 'string' ? b : (JSON.stringify(b) ?? 'null'),
        });
        const json = (await r.json()) as { error?: { code: string; message: string } };
        if (r.status < 300) accepted++;
        else expect(typeof json.error?.code).toBe('string');
        return r.status >= 200 && r.status < 500;
      }),
      { numRuns: 2500 },
    );
    expect(accepted).toBeGreaterThan(0);
    expect((await svc.get('/-/healthy')).status).toBe(200);
  });
});
