import { request as httpRequest } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, hostHistory, type TestDashboard } from '../test/helpers/dashboard.js';
import { freePort } from '../test/helpers/ports.js';
import { startPrometheus, type TestPrometheus } from '../test/helpers/prometheus.js';
import { startVigil, waitReady } from '../test/helpers/vigil.js';
import { waitFor } from '../test/helpers/wait.js';

type ErrorBody = { error: { code: string; message: string; upstream?: string } };

const now = Math.floor(Date.now() / 1000);
let prom: TestPrometheus;
let dash: TestDashboard;
let analyticsPort: number;
let alertsPort: number;
const TOKEN = 'api-test-token';
const auth = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  prom = await startPrometheus({
    backfill: hostHistory('host-a:9101', now - 3600, now - 30),
    config: {
      // A server whose agent is not running: Prometheus marks it down after its first scrape.
      scrape_configs: [{ job_name: 'agent', static_configs: [{ targets: ['127.0.0.1:1'], labels: { instance: 'host-down:9101' } }] }],
    },
  });
  analyticsPort = await freePort();
  alertsPort = await freePort();
  dash = await startDashboard({
    PROMETHEUS_URL: prom.url,
    ANALYTICS_URL: `http://127.0.0.1:${analyticsPort}`,
    ALERTS_URL: `http://127.0.0.1:${alertsPort}`,
    DASHBOARD_TOKEN: TOKEN,
    DASHBOARD_UPSTREAM_TIMEOUT_SECONDS: '10',
  });
});
afterAll(async () => {
  await dash?.stop();
  await prom?.stop();
});

const get = (path: string, init: RequestInit = {}) =>
  fetch(`${dash.url}${path}`, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });
const direct = (path: string, init?: RequestInit) => fetch(`${prom.url}${path}`, init);

/** rawRequest sends a path exactly as written (fetch would normalise `..` away). */
function rawRequest(method: string, path: string): Promise<{ status: number; body: string }> {
  const u = new URL(dash.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method, path, headers: auth }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('read-only Prometheus proxy', () => {
  it("passes query, query_range, series, labels, label values, metadata and build info with Prometheus's own answer", async () => {
    const t = now - 60;
    const q = encodeURIComponent('cpu_usage_percent{instance="host-a:9101"}');
    const paths = [
      `/v1/query?query=${q}&time=${t}`,
      `/v1/query_range?query=${q}&start=${t - 600}&end=${t}&step=15`,
      `/v1/series?match[]=${q}&start=${t - 600}&end=${t}`,
      `/v1/labels?start=${t - 600}&end=${t}`,
      `/v1/label/__name__/values?start=${t - 600}&end=${t}`,
      `/v1/label/instance/values`,
      `/v1/metadata`,
      `/v1/status/buildinfo`,
      `/v1/query?query=${encodeURIComponent('rate(cpu_usage_percent[')}`, // a PromQL error: Prometheus's 400 passes through
    ];
    for (const p of paths) {
      const via = await get(`/api/prometheus${p}`);
      const want = await direct(`/api${p}`);
      expect({ p, status: via.status }).toEqual({ p, status: want.status });
      expect(await via.json()).toEqual(await want.json());
    }
    const body = (await (await get(`/api/prometheus/v1/query?query=${q}&time=${t}`)).json()) as {
      data: { result: Array<{ value: [number, string] }> };
    };
    expect(Number(body.data.result[0]?.value[1])).toBeGreaterThan(0);
  });

  it('passes POST form queries and the targets list', async () => {
    const form = new URLSearchParams({ query: 'max(disk_usage_percent)', time: String(now - 60) });
    const via = await get('/api/prometheus/v1/query', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    const want = await direct('/api/v1/query', { method: 'POST', body: form });
    expect(via.status).toBe(200);
    expect(await via.json()).toEqual(await want.json());
    const targets = await waitFor('the target to be discovered', async () => {
      const b = (await (await get('/api/prometheus/v1/targets')).json()) as {
        data: { activeTargets: Array<{ labels: Record<string, string> }> };
      };
      return b.data.activeTargets.length ? b.data.activeTargets : undefined;
    });
    expect(targets.map((x) => x.labels.instance)).toEqual(['host-down:9101']);
  });

  it('refuses the admin, write and lifecycle APIs with 403 PROXY_FORBIDDEN, and Prometheus stays up', async () => {
    const refused: Array<[string, string]> = [
      ['POST', '/api/prometheus/v1/admin/tsdb/delete_series?match[]=cpu_usage_percent'],
      ['POST', '/api/prometheus/v1/admin/tsdb/snapshot'],
      ['POST', '/api/prometheus/v1/admin/tsdb/clean_tombstones'],
      ['POST', '/api/prometheus/v1/write'],
      ['POST', '/api/prometheus/v1/otlp/v1/metrics'],
      ['POST', '/api/prometheus/-/quit'],
      ['POST', '/api/prometheus/-/reload'],
      ['PUT', '/api/prometheus/-/quit'],
      ['GET', '/api/prometheus/v1/status/config'],
      ['GET', '/api/prometheus/v1/status/flags'],
      ['GET', '/api/prometheus/v1/rules'],
      ['GET', '/api/prometheus/v1/alertmanagers'],
      ['GET', '/api/prometheus/federate'],
      ['GET', '/api/prometheus'],
      ['DELETE', '/api/prometheus/v1/query'],
      ['POST', '/api/prometheus/v1/label/job/values'],
      ['GET', '/api/prometheus/v1/query/../admin/tsdb/delete_series'],
      ['POST', '/api/prometheus/v1/query/../../-/quit'],
      ['POST', '/api/prometheus/v1/%2e%2e/%2e%2e/-/quit'],
      ['GET', '/api/prometheus/v1/label/%2e%2e/values'],
    ];
    for (const [method, path] of refused) {
      const r = await rawRequest(method, path);
      expect({ method, path, status: r.status }).toEqual({ method, path, status: 403 });
      expect((JSON.parse(r.body) as ErrorBody).error.code).toBe('PROXY_FORBIDDEN');
    }
    expect((await direct('/-/ready')).status).toBe(200);
    expect((await prom.query('cpu_usage_percent', now - 60)).length).toBe(1);
  });

  it('bounds range queries, expression length and body size', async () => {
    const q = encodeURIComponent('cpu_usage_percent');
    const big = await get(`/api/prometheus/v1/query_range?query=${q}&start=${now - 86_400}&end=${now}&step=1`);
    expect(big.status).toBe(400);
    const err = (await big.json()) as ErrorBody;
    expect(err.error.code).toBe('QUERY_TOO_LARGE');
    expect(err.error.message).toMatch(/at most 11000/);
    const dur = await get(`/api/prometheus/v1/query_range?query=${q}&start=${now - 86_400}&end=${now}&step=1h`);
    expect(dur.status).toBe(200);
    const long = await get('/api/prometheus/v1/query', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: `${'x'.repeat(20_000)}` }),
    });
    expect(((await long.json()) as ErrorBody).error.code).toBe('QUERY_TOO_LARGE');
    const huge = await get('/api/prometheus/v1/query', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${'y'.repeat(100_000)}`,
    });
    expect(huge.status).toBe(413);
  });
});

describe('dashboard REST', () => {
  it('lists servers from targets, vigil_agent_info and registrations, with live CPU, memory and fullest disk', async () => {
    const reg = await get('/api/v1/sd/register', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ address: 'host-new:9101' }),
    });
    expect(reg.status).toBe(201);
    const body = await waitFor('host-down to be scraped as down', async () => {
      const b = (await (await get('/api/v1/servers')).json()) as import('../common/dashboard/events.js').ServersPayload;
      return b.servers.find((s) => s.instance === 'host-down:9101')?.health === 'down' ? b : undefined;
    });
    const byInstance = Object.fromEntries(body.servers.map((s) => [s.instance, s]));
    const a = byInstance['host-a:9101']!;
    const [cpuNow] = await prom.query('cpu_usage_percent{instance="host-a:9101"}');
    expect(a).toMatchObject({
      hostname: 'host-a',
      serverId: 'srv-a',
      os: 'linux',
      registered: false,
      memory: 61.5,
      disk: 72.3,
      alarm: null,
    });
    // The servers list rounds to one decimal, as Prometheus's value is rounded here.
    expect(a.cpu).toBe(Math.round(Number(cpuNow!.value[1]) * 10) / 10);
    expect(a.sparkline.length).toBeGreaterThan(50);
    expect(byInstance['host-down:9101']).toMatchObject({ up: false, health: 'down', job: 'agent', cpu: null });
    expect(byInstance['host-new:9101']).toMatchObject({ registered: true, health: 'unknown', up: false });
    expect(body.unavailable?.sort()).toEqual(['alerts', 'analytics']);
  });

  it('reports which upstream is down, and answers 502 naming it, until it comes back', async () => {
    const status = (await (await get('/api/v1/status')).json()) as import('../common/dashboard/events.js').UpstreamStatus;
    expect(status.prometheus).toEqual({ up: true });
    expect(status.analytics.up).toBe(false);
    expect(status.analytics.error).toContain(`analytics at http://127.0.0.1:${analyticsPort} is unreachable`);
    expect(status.alerts.up).toBe(false);

    const down = await get('/api/analytics/v1/rules');
    expect(down.status).toBe(502);
    const err = (await down.json()) as ErrorBody;
    expect(err.error).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: 'analytics' });
    expect(err.error.message).toMatch(new RegExp(`analytics at http://127.0.0.1:${analyticsPort} is unreachable: ECONNREFUSED`));
    expect(((await (await get('/api/alerts/v1/alerts')).json()) as ErrorBody).error.upstream).toBe('alerts');

    // The real services come up on the configured ports, with the same token.
    const dir = await mkdtemp(join(tmpdir(), 'vigil-dash-up-'));
    const env = { PROMETHEUS_URL: prom.url, DATA_DIR: dir, DASHBOARD_TOKEN: TOKEN, LOG_LEVEL: 'warn' };
    const analytics = startVigil(['analytics'], { ...env, ANALYTICS_PORT: String(analyticsPort), ANALYTICS_HOST: '127.0.0.1' });
    const alerts = startVigil(['alerts'], { ...env, ALERTS_PORT: String(alertsPort), ALERTS_HOST: '127.0.0.1' });
    try {
      await waitReady(analytics, `http://127.0.0.1:${analyticsPort}`, 60_000);
      await waitReady(alerts, `http://127.0.0.1:${alertsPort}`, 60_000);
      const rules = await get('/api/analytics/v1/rules');
      expect(rules.status).toBe(200);
      const want = await fetch(`http://127.0.0.1:${analyticsPort}/api/v1/rules`, { headers: auth });
      // The rules' evaluation status may move on between the two reads (a rule's first evaluation comes up to
      // 2 s after start): compare the rules without it.
      type RuleList = { rules: Array<Record<string, unknown>> };
      const withoutStatus = (b: RuleList) => b.rules.map(({ status: _status, ...rule }) => rule);
      const proxied = withoutStatus((await rules.json()) as RuleList);
      expect(proxied.length).toBeGreaterThan(0);
      expect(proxied).toEqual(withoutStatus((await want.json()) as RuleList));
      // Without the dashboard adding the token, analytics would refuse: the proxy sends the shared one.
      expect((await fetch(`http://127.0.0.1:${analyticsPort}/api/v1/rules`)).status).toBe(401);
      // Upstream errors pass through with their status and code.
      const missing = await get('/api/analytics/v1/rules/no-such-rule');
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as ErrorBody).error.code).toBe('RULE_NOT_FOUND');
      const invalid = await get('/api/analytics/v1/rules', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x' }),
      });
      expect(invalid.status).toBe(400);
      expect(((await invalid.json()) as ErrorBody).error.code).toMatch(/^INVALID_/);

      const list = await get('/api/alerts/v1/alerts?state=firing');
      expect(list.status).toBe(200);
      expect(await list.json()).toEqual({ alerts: [] });
      const ack = await get('/api/alerts/v1/alerts/0123456789abcdef/ack', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ by: 'test' }),
      });
      expect(ack.status).toBe(404);
      expect(((await ack.json()) as ErrorBody).error.code).toBe('ALERT_NOT_FOUND');
      for (const [method, path] of [
        ['POST', '/api/alerts/v1/alertmanager-webhook'],
        ['DELETE', '/api/alerts/v1/alerts/x'],
        ['POST', '/api/alerts/v2/alerts'],
        ['PATCH', '/api/analytics/v1/rules/x'],
      ]) {
        const r = await get(path!, { method, headers: { 'content-type': 'application/json' }, body: '{}' });
        expect({ path, status: r.status }).toEqual({ path, status: 403 });
      }

      const up = (await (await get('/api/v1/status')).json()) as import('../common/dashboard/events.js').UpstreamStatus;
      expect(up).toEqual({ prometheus: { up: true }, analytics: { up: true }, alerts: { up: true } });
      const servers = (await (await get('/api/v1/servers')).json()) as import('../common/dashboard/events.js').ServersPayload;
      expect(servers.unavailable).toBeUndefined();
      expect(servers.servers.find((s) => s.instance === 'host-a:9101')?.alarm).toBe('GREEN');
      expect(servers.firingAlerts).toBe(0);
    } finally {
      await analytics.stop();
      await alerts.stop();
      await rm(dir, { recursive: true, force: true });
    }
    // Down again: the dashboard notices by itself.
    expect((await get('/api/analytics/v1/rules')).status).toBe(502);
  });
});

describe('the browser app', () => {
  it('serves index.html for every page route, the assets, and security headers', async () => {
    for (const p of ['/', '/?rule=abc', '/servers/host-a%3A9101', '/alerts', '/alerts/0123abcd', '/rules', '/query']) {
      const r = await get(p, { headers: { accept: 'text/html' } });
      expect({ p, status: r.status }).toEqual({ p, status: 200 });
      expect(await r.text()).toContain('<script type="module" src="/assets/app.js">');
      const csp = r.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("connect-src 'self'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    }
    const js = await get('/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await get('/assets/missing.js')).status).toBe(404);
    expect((await get('/no/such/page')).status).toBe(404);
  });

  it('says to run npm run build when the bundle is missing', async () => {
    const bare = await startDashboard({ PROMETHEUS_URL: prom.url }, { webDir: null });
    try {
      const html = await fetch(`${bare.url}/servers/x`, { headers: { accept: 'text/html' } });
      expect(html.status).toBe(503);
      expect(await html.text()).toContain('npm run build');
      const json = await fetch(`${bare.url}/`, { headers: { accept: 'application/json' } });
      expect(((await json.json()) as ErrorBody).error.code).toBe('DASHBOARD_NOT_BUILT');
    } finally {
      await bare.stop();
    }
  });
});
