import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { renderAlertmanagerConfig, type AlertmanagerConfigDoc } from '../../stack/config/alertmanager-config.js';
import { prometheusSourceDir } from '../../stack/generate.js';
import { startAlertmanager } from '../../test/helpers/alertmanager.js';
import { waitFor } from '../../test/helpers/wait.js';
import { startHttpReceiver } from '../testing/receivers.js';
import { alert, startAlerts, type Body } from '../testing/start-alerts.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function call(url: string, body: unknown, token?: string): Promise<{ status: number; body: Body }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const r = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

describe('the alerts service is no open relay', () => {
  it('requires DASHBOARD_TOKEN on the receiving routes when it is set', async () => {
    const svc = await startAlerts({ DASHBOARD_TOKEN: 's3cret', ALERTS_GROUP_WAIT_SECONDS: '3600' });
    cleanups.push(() => svc.close());
    const v2 = await call(`${svc.url}/api/v2/alerts`, [alert({ instance: 'a:1' })]);
    expect(v2.status).toBe(401);
    expect(v2.body.error.code).toBe('UNAUTHORIZED');
    const hook = await call(`${svc.url}/api/v1/alertmanager-webhook`, {
      version: '4',
      alerts: [{ ...alert({ instance: 'a:1' }), status: 'firing' }],
    });
    expect(hook.status).toBe(401);
    expect((await call(`${svc.url}/api/v2/alerts`, [alert({ instance: 'a:1' })], 'wrong')).status).toBe(401);
    expect((await call(`${svc.url}/api/v1/alerts`, undefined, 's3cret')).body.alerts).toHaveLength(0);
    const ok = await call(`${svc.url}/api/v2/alerts`, [alert({ instance: 'a:1' })], 's3cret');
    expect(ok.status).toBe(200);
    expect((await fetch(`${svc.url}/-/healthy`)).status).toBe(200);
    expect((await fetch(`${svc.url}/metrics`)).status).toBe(200);
  });

  it('receives from a real Alertmanager whose generated configuration carries the token', async () => {
    const svc = await startAlerts({ DASHBOARD_TOKEN: 's3cret', ALERTS_GROUP_WAIT_SECONDS: '3600' });
    cleanups.push(() => svc.close());
    const source = parse(await readFile(join(prometheusSourceDir(), 'alertmanager.yml'), 'utf8')) as AlertmanagerConfigDoc;
    const config = renderAlertmanagerConfig(source, {
      addresses: new Map([['alerts:9103', new URL(svc.url).host]]),
      alertsToken: 's3cret',
    });
    const am = await startAlertmanager(config as Record<string, unknown>);
    cleanups.push(() => am.stop());
    const r = await fetch(`${am.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels: { alertname: 'ViaAm', instance: 'b:1' } }]),
    });
    expect(r.status).toBe(200);
    const got = await waitFor(
      'the alert through Alertmanager',
      async () => {
        const list = await call(`${svc.url}/api/v1/alerts`, undefined, 's3cret');
        return list.body.alerts.find((a: Body) => a.labels.alertname === 'ViaAm');
      },
      60_000,
    );
    expect(got.labels.instance).toBe('b:1');
    expect(await svc.registry.getSingleMetricAsString('vigil_alerts_received_total')).toMatch(/source="alertmanager"\} [1-9]/);
  });

  it('carries out only actions whose destination is configured or allow-listed; others are dropped, counted, and the defaults used', async () => {
    const good = await startHttpReceiver();
    const evil = await startHttpReceiver();
    const listed = await startHttpReceiver();
    cleanups.push(
      () => good.close(),
      () => evil.close(),
      () => listed.close(),
    );
    const svc = await startAlerts({
      ALERT_WEBHOOK_URL: `${good.url}/hook`,
      ALERTS_WEBHOOK_ALLOWLIST: `${listed.url}/team/`,
      ALERTS_GROUP_WAIT_SECONDS: '0.1',
    });
    cleanups.push(() => svc.close());
    // The audit's request: a webhook action aimed at Prometheus's lifecycle API (here: any unlisted URL).
    const r = await svc.post('/api/v2/alerts', [
      alert({ instance: 'c:1' }, { actions: [{ type: 'webhook', value: `${evil.url}/-/quit` }] }),
    ]);
    expect(r.status).toBe(200);
    expect(r.body.refusedActions).toBe(1);
    const r2 = await svc.post('/api/v2/alerts', [
      alert({ instance: 'c:2' }, { actions: [{ type: 'webhook', value: `${listed.url}/team/a` }] }),
    ]);
    expect(r2.body.refusedActions).toBeUndefined();
    await waitFor('the default webhook to get the refused alert', () => good.received.some((x) => JSON.stringify(x.body).includes('c:1')));
    await waitFor('the allow-listed webhook', () => listed.received.some((x) => x.path === '/team/a'));
    expect(evil.received).toHaveLength(0);
    expect(good.received.some((x) => JSON.stringify(x.body).includes('c:2'))).toBe(false);
    expect(await svc.registry.getSingleMetricAsString('vigil_alerts_actions_refused_total')).toContain(
      'vigil_alerts_actions_refused_total{channel="webhook"} 1',
    );
  });
});
