import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { boundPort, closeServer, listen } from '../common/http/server.js';
import { createLogger } from '../common/logger.js';
import { createApp, type Dashboard } from './app.js';
import { loadConfig } from './config.js';

let dir: string;
let dashboard: Dashboard;
let server: Server;
let base: string;
let now = 1_700_000_000_000;

async function start(env: Record<string, string> = {}) {
  const config = loadConfig({ DATA_DIR: dir, DASHBOARD_SD_TTL_SECONDS: '10', ...env });
  dashboard = await createApp(config, { logger: createLogger('dashboard', 'silent'), registry: new Registry(), now: () => now });
  server = await listen(dashboard.app, 0, '127.0.0.1', 'DASHBOARD_PORT');
  await dashboard.start(server);
  base = `http://127.0.0.1:${boundPort(server)}`;
}
async function stop() {
  await closeServer(server);
  await dashboard.close();
}
const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/v1/sd/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-dash-'));
});
afterEach(async () => {
  await stop();
  await rm(dir, { recursive: true, force: true });
});

describe('dashboard service-discovery API', () => {
  it('registers, renews, serves http_sd, expires and deregisters', async () => {
    await start();
    const created = await post({ address: '127.0.0.1:9101', labels: { hostname: 'a' } });
    expect(created.status).toBe(201);
    const { id, ttlSeconds } = (await created.json()) as { id: string; ttlSeconds: number };
    expect(ttlSeconds).toBe(10);
    expect((await post({ address: '127.0.0.1:9101', labels: { hostname: 'a' } })).status).toBe(200);
    expect((await post({ address: '127.0.0.1:9102' })).status).toBe(201);
    const sd = await (await fetch(`${base}/api/v1/sd`)).json();
    expect(sd).toEqual([
      { targets: ['127.0.0.1:9101'], labels: { hostname: 'a' } },
      { targets: ['127.0.0.1:9102'], labels: {} },
    ]);
    expect((await fetch(`${base}/api/v1/sd/register/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await fetch(`${base}/api/v1/sd/register/${id}`, { method: 'DELETE' })).status).toBe(404);
    now += 10_000;
    expect(await (await fetch(`${base}/api/v1/sd`)).json()).toEqual([]);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/vigil_dashboard_sd_registration_requests_total\{result="created"\} 2/);
    expect(metrics).toMatch(/vigil_dashboard_sd_registration_requests_total\{result="renewed"\} 1/);
  });

  it('answers an invalid registration with 400 and the reason as JSON', async () => {
    await start();
    const r = await post({ address: 'not an address' });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('INVALID_REGISTRATION');
    expect(body.error.message).toMatch(/address must be host:port/);
    const bad = await fetch(`${base}/api/v1/sd/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' });
    expect(bad.status).toBe(400);
  });

  it('starts no timer while it is built; start(server) begins the probe and the sweep', async () => {
    const intervals = vi.spyOn(globalThis, 'setInterval');
    const timeouts = vi.spyOn(globalThis, 'setTimeout');
    onTestFinished(() => {
      intervals.mockRestore();
      timeouts.mockRestore();
    });
    // express-rate-limit's memory stores clear their own counters (an unref'd interval each): not the dashboard's timers.
    const own = (spy: typeof intervals | typeof timeouts) => spy.mock.calls.filter(([fn]) => !String(fn).includes('clearExpired')).length;
    dashboard = await createApp(loadConfig({ DATA_DIR: dir, DASHBOARD_SD_TTL_SECONDS: '10' }), {
      logger: createLogger('dashboard', 'silent'),
      now: () => now,
    });
    expect(own(intervals)).toBe(0);
    expect(own(timeouts)).toBe(0);
    server = await listen(dashboard.app, 0, '127.0.0.1', 'DASHBOARD_PORT');
    await dashboard.start(server);
    // The upstream probe and the registration sweep.
    expect(own(intervals)).toBeGreaterThanOrEqual(2);
  });

  it('keeps registrations across a restart', async () => {
    await start();
    expect((await post({ address: 'web-1:9101', labels: { role: 'web' } })).status).toBe(201);
    await stop();
    await start();
    expect(await (await fetch(`${base}/api/v1/sd`)).json()).toEqual([{ targets: ['web-1:9101'], labels: { role: 'web' } }]);
  });

  it('requires DASHBOARD_TOKEN on the API when set, but not on /metrics', async () => {
    await start({ DASHBOARD_TOKEN: 's3cret' });
    expect((await post({ address: 'h:1' })).status).toBe(401);
    expect((await post({ address: 'h:1' }, { authorization: 'Bearer s3cret' })).status).toBe(201);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
  });

  it('names the variable in a configuration error', () => {
    expect(() => loadConfig({ DASHBOARD_SD_TTL_SECONDS: 'soon' })).toThrow(/DASHBOARD_SD_TTL_SECONDS: expected a number of seconds/);
    expect(() => loadConfig({ DASHBOARD_PORT: '99999' })).toThrow(/DASHBOARD_PORT/);
    expect(() => loadConfig({ DASHBOARD_REFRESH_SECONDS: '0' })).toThrow(
      /DASHBOARD_REFRESH_SECONDS: expected a number of seconds between 0.2 and 3600, got "0"/,
    );
    expect(() => loadConfig({ ANALYTICS_URL: 'analytics:9102' })).toThrow(/ANALYTICS_URL: expected an http\(s\) URL/);
    expect(() => loadConfig({ ALERTS_URL: 'ftp://x' })).toThrow(/ALERTS_URL/);
    expect(() => loadConfig({ DASHBOARD_MAX_VIEWS: '1.5' })).toThrow(/DASHBOARD_MAX_VIEWS/);
    expect(loadConfig({ ANALYTICS_URL: 'http://a:1/', DASHBOARD_REFRESH_SECONDS: '15' })).toMatchObject({
      analyticsUrl: 'http://a:1',
      refreshSeconds: 15,
      alertsUrl: 'http://localhost:9103',
    });
  });
});
