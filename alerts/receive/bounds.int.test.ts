import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlerts, type TestAlerts } from '../testing/start-alerts.js';

let svc: TestAlerts;
beforeAll(async () => {
  svc = await startAlerts({ ALERTS_GROUP_WAIT_SECONDS: '3600' });
});
afterAll(async () => {
  await svc?.close();
});

describe('receiving: bounds an anonymous caller cannot push past', () => {
  it('rejects a 10 MB body of 155 alerts with huge labels with a 400 naming the label, and keeps none', async () => {
    const huge = 'x'.repeat(64 * 1024);
    const body = Array.from({ length: 155 }, (_, i) => ({ labels: { alertname: 'Big', instance: `h${i}`, blob: huge } }));
    expect(JSON.stringify(body).length).toBeGreaterThan(10_000_000);
    expect(JSON.stringify(body).length).toBeLessThan(10 * 1024 * 1024);
    const r = await svc.post('/api/v2/alerts', body);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_ALERT_PAYLOAD');
    expect(r.body.error.message).toMatch(/^body\[0\]\.labels\.blob: a label value has at most 4096 characters/);
    expect((await svc.get('/api/v1/alerts')).body.alerts).toHaveLength(0);
  });

  it('rejects too many labels and too long label names', async () => {
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`l${i}`, 'v']));
    const r1 = await svc.post('/api/v2/alerts', [{ labels: many }]);
    expect(r1.status).toBe(400);
    expect(r1.body.error.message).toContain('at most 64 labels per alert');
    const r2 = await svc.post('/api/v2/alerts', [{ labels: { alertname: 'A', [`n${'x'.repeat(300)}`]: 'v' } }]);
    expect(r2.status).toBe(400);
    expect(r2.body.error.message).toContain('a label name has at most 256 characters');
  });

  it('answers a body over 10 MB with 413 PAYLOAD_TOO_LARGE', async () => {
    const r = await svc.post(
      '/api/v2/alerts',
      JSON.stringify([{ labels: { alertname: 'A' }, annotations: { d: 'x'.repeat(11 * 1024 * 1024) } }]),
    );
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('rejects an alert whose startsAt is later than its endsAt, on both routes', async () => {
    const a = { labels: { alertname: 'Backwards' }, startsAt: '2026-01-10T12:00:00Z', endsAt: '2026-01-10T11:00:00Z' };
    const r = await svc.post('/api/v2/alerts', [a]);
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('INVALID_ALERT_PAYLOAD');
    expect(r.body.error.message).toMatch(/^body\[0\]\.endsAt: startsAt is later than endsAt/);
    const w = await svc.post('/api/v1/alertmanager-webhook', { version: '4', alerts: [{ ...a, status: 'resolved' }] });
    expect(w.status).toBe(400);
    expect(w.body.error.message).toContain('body.alerts[0].endsAt');
    // Equal times and Alertmanager's zero endsAt are fine.
    expect((await svc.post('/api/v2/alerts', [{ ...a, endsAt: a.startsAt }])).status).toBe(200);
    expect(
      (await svc.post('/api/v1/alertmanager-webhook', { alerts: [{ ...a, endsAt: '0001-01-01T00:00:00Z', status: 'firing' }] })).status,
    ).toBe(200);
  });
});
