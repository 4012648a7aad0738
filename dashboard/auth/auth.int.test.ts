import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientToServerEvents, ServerToClientEvents, WatchAck } from '../../common/dashboard/events.js';
import { hostHistory, startDashboard, type TestDashboard } from '../../test/helpers/dashboard.js';
import { startPrometheus, type TestPrometheus } from '../../test/helpers/prometheus.js';

const TOKEN = 'route-test-token-0123456789';
const now = Math.floor(Date.now() / 1000);
let prom: TestPrometheus;
let dash: TestDashboard;

beforeAll(async () => {
  prom = await startPrometheus({ backfill: hostHistory('host-a:9101', now - 600, now - 30) });
  // Analytics and alerts are left unreachable: a request that passes the gate then gets 502, not 401.
  dash = await startDashboard({
    PROMETHEUS_URL: prom.url,
    ANALYTICS_URL: 'http://127.0.0.1:1',
    ALERTS_URL: 'http://127.0.0.1:1',
    DASHBOARD_TOKEN: TOKEN,
  });
});
afterAll(async () => {
  await dash?.stop();
  await prom?.stop();
});

interface RouteCase {
  method: string;
  path: string;
}

/** Routes served to anyone, token or not: the scrape, the health probes and the login form. */
const OPEN = new Set(['GET /metrics', 'GET /-/healthy', 'GET /-/ready', 'GET /login', 'POST /login']);

/** A concrete path for each route pattern: parameters filled so that an authorised request reaches the handler. */
function concrete(pattern: string): string {
  if (pattern.startsWith('/api/prometheus/')) return pattern.replace('*path', 'v1/query') + '?query=up';
  if (pattern.startsWith('/api/analytics/')) return pattern.replace('*path', 'v1/rules');
  if (pattern.startsWith('/api/alerts/')) return pattern.replace('*path', 'v1/alerts');
  return pattern
    .replace(/:instance/g, 'host-a%3A9101')
    .replace(/:fingerprint/g, '0123abcd')
    .replace(/:id/g, 'abc')
    .replace(/\*\w+/g, 'x');
}

/** enumerateRoutes lists every route of the Express app with each method it answers. */
function enumerateRoutes(): RouteCase[] {
  const stack = (
    dash.dashboard.app as unknown as { router: { stack: Array<{ route?: { path: unknown; methods: Record<string, boolean> } }> } }
  ).router.stack;
  const out: RouteCase[] = [];
  for (const layer of stack) {
    if (!layer.route || typeof layer.route.path !== 'string') continue;
    const all = Object.keys(layer.route.methods).length > 10;
    const methods = all ? ['get', 'post', 'put', 'delete', 'patch'] : Object.keys(layer.route.methods).filter((m) => m !== 'head');
    for (const m of methods) out.push({ method: m.toUpperCase(), path: layer.route.path });
  }
  // Middleware-served paths that are not routes: the bundle's assets, and Socket.IO's HTTP transport.
  out.push({ method: 'GET', path: '/assets/app.js' });
  return out;
}

async function send(c: RouteCase, headers: Record<string, string> = {}): Promise<Response> {
  const path = concrete(c.path);
  const body = c.method === 'GET' || c.method === 'HEAD' ? undefined : '{}';
  return fetch(`${dash.url}${path}`, {
    method: c.method,
    redirect: 'manual',
    headers: { accept: 'text/html', 'content-type': 'application/json', ...headers },
    body,
  });
}

async function login(): Promise<string> {
  const r = await fetch(`${dash.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: TOKEN, next: '/servers/host-a%3A9101' }),
  });
  expect(r.status).toBe(303);
  expect(r.headers.get('location')).toBe('/servers/host-a%3A9101');
  const set = r.headers.get('set-cookie') ?? '';
  expect(set).toMatch(/^vigil_session=v1\.\d+\.[\w-]+;/);
  expect(set).toMatch(/HttpOnly/);
  expect(set).toMatch(/SameSite=Strict/);
  expect(set).not.toContain(TOKEN);
  return set.split(';')[0]!;
}

function socket(headers: Record<string, string>, transports: string[] = ['websocket']): Socket<ServerToClientEvents, ClientToServerEvents> {
  return connect(dash.url, { path: '/socket.io/', transports, extraHeaders: headers, reconnection: false, forceNew: true });
}

function connectResult(s: Socket): Promise<'connected' | string> {
  return new Promise((resolve) => {
    s.once('connect', () => resolve('connected'));
    s.once('connect_error', (err) => resolve(err.message));
  });
}

describe('DASHBOARD_TOKEN', () => {
  it('guards every route of the app: anonymous refused, bearer and login cookie let through', async () => {
    const routes = enumerateRoutes();
    const paths = new Set(routes.map((r) => r.path));
    // The enumeration sees the pages, the API, the proxies and discovery (so it cannot pass by finding nothing).
    for (const p of [
      '/',
      '/servers/:instance',
      '/alerts/:fingerprint',
      '/rules',
      '/query',
      '/api/v1/servers',
      '/api/v1/status',
      '/api/prometheus/*path',
      '/api/analytics/*path',
      '/api/alerts/*path',
      '/api/v1/sd',
      '/api/v1/sd/register',
    ]) {
      expect(paths.has(p), p).toBe(true);
    }
    expect(routes.length).toBeGreaterThan(30);
    const cookie = await login();
    for (const c of routes) {
      const key = `${c.method} ${c.path}`;
      const anon = await send(c);
      if (OPEN.has(key)) {
        // Served, not gated: 200, or for POST /login without a token the form again with its error.
        if (key === 'POST /login') expect(await anon.text()).toContain('<form method="post" action="/login">');
        else expect({ key, status: anon.status }).toEqual({ key, status: 200 });
        continue;
      }
      const isPage = c.method === 'GET' && !c.path.startsWith('/api');
      if (isPage) {
        expect({ key, status: anon.status, location: anon.headers.get('location')?.split('?')[0] }).toEqual({
          key,
          status: 302,
          location: '/login',
        });
      } else {
        expect({ key, status: anon.status }).toEqual({ key, status: 401 });
        expect(((await anon.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
      }
      expect((await send(c, { authorization: 'Bearer wrong-token' })).status).toBe(isPage ? 302 : 401);
      for (const [how, headers] of [
        ['bearer', { authorization: `Bearer ${TOKEN}` }],
        ['cookie', { cookie }],
      ] as const) {
        const r = await send(c, headers);
        expect({ key, how, refused: r.status === 401 || (r.status === 302 && r.headers.get('location')?.startsWith('/login')) }).toEqual({
          key,
          how,
          refused: false,
        });
      }
    }
    // The proxy really answers once authorised.
    const q = await fetch(`${dash.url}/api/prometheus/v1/query?query=7`, { headers: { cookie } });
    expect(((await q.json()) as { data: { result: [number, string] } }).data.result[1]).toBe('7');
  });

  it('guards the Socket.IO handshake on both transports', async () => {
    const cookie = await login();
    for (const transports of [['websocket'], ['polling']]) {
      const anon = socket({}, transports);
      expect(await connectResult(anon)).toBe('UNAUTHORIZED');
      anon.close();
      const wrong = socket({ cookie: 'vigil_session=v1.9999999999.AAAA' }, transports);
      expect(await connectResult(wrong)).toBe('UNAUTHORIZED');
      wrong.close();
      for (const headers of [{ authorization: `Bearer ${TOKEN}` }, { cookie }] as Array<Record<string, string>>) {
        const s = socket(headers, transports);
        try {
          expect(await connectResult(s)).toBe('connected');
          const ack = (await s.emitWithAck('watch', { view: 'overview' })) as WatchAck;
          expect(ack).toMatchObject({ ok: true, key: 'overview' });
        } finally {
          s.close();
        }
      }
    }
  });

  it('shows the login form, refuses a wrong token, and keeps redirects on this site', async () => {
    const page = await fetch(`${dash.url}/login?next=/rules`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<form method="post" action="/login">');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('value="/rules"');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const wrong = await fetch(`${dash.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ token: 'nope', next: '/' }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect(await wrong.text()).toContain('That token is not right.');
    const evil = await fetch(`${dash.url}/login`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ token: TOKEN, next: '//evil.example/x' }),
    });
    expect(evil.headers.get('location')).toBe('/');
    const out = await fetch(`${dash.url}/logout`, { method: 'POST', redirect: 'manual', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(out.status).toBe(303);
    expect(out.headers.get('set-cookie')).toMatch(/vigil_session=;/);
  });
});

describe('rate limits and the open mode', () => {
  it('rate-limits the API and the login', async () => {
    const d = await startDashboard({ PROMETHEUS_URL: prom.url, DASHBOARD_TOKEN: TOKEN, DASHBOARD_RATE_LIMIT_PER_MINUTE: '5' });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 7; i++)
        codes.push((await fetch(`${d.url}/api/v1/session`, { headers: { authorization: `Bearer ${TOKEN}` } })).status);
      expect(codes.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
      const limited = await fetch(`${d.url}/api/v1/session`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(limited.status).toBe(429);
      expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('RATE_LIMITED');
      const logins: number[] = [];
      for (let i = 0; i < 11; i++)
        logins.push(
          (await fetch(`${d.url}/login`, { method: 'POST', redirect: 'manual', body: new URLSearchParams({ token: 'guess' }) })).status,
        );
      expect(logins.slice(0, 10).every((s) => s === 401)).toBe(true);
      expect(logins[10]).toBe(429);
      // The scrape and health stay open and unlimited.
      for (let i = 0; i < 8; i++) expect((await fetch(`${d.url}/-/healthy`)).status).toBe(200);
    } finally {
      await d.stop();
    }
  });

  it('without a token, serves everything openly and says so', async () => {
    const d = await startDashboard({ PROMETHEUS_URL: prom.url });
    try {
      expect(await (await fetch(`${d.url}/api/v1/session`)).json()).toEqual({ authRequired: false, authenticated: true });
      expect((await fetch(`${d.url}/rules`)).status).toBe(200);
      expect((await fetch(`${d.url}/login`, { redirect: 'manual' })).headers.get('location')).toBe('/');
      const s = connect(d.url, { transports: ['websocket'], reconnection: false, forceNew: true });
      try {
        expect(await connectResult(s)).toBe('connected');
      } finally {
        s.close();
      }
    } finally {
      await d.stop();
    }
  });
});
